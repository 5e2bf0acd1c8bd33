//! Public holidays in Germany, nationwide and per federal state, computed for any year
//! (Easter-dependent ones included) so calendars never run out of holiday data.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// A holiday preset: Germany's nationwide holidays, or those of one federal state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Region {
    Germany,
    State(State),
}

/// The 16 federal states, by their ISO 3166-2 codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    BW,
    BY,
    BE,
    BB,
    HB,
    HH,
    HE,
    MV,
    NI,
    NW,
    RP,
    SL,
    SN,
    ST,
    SH,
    TH,
}

use State::*;

const STATES: [(State, &str, &str); 16] = [
    (BW, "DE-BW", "Baden-Württemberg"),
    (BY, "DE-BY", "Bayern"),
    (BE, "DE-BE", "Berlin"),
    (BB, "DE-BB", "Brandenburg"),
    (HB, "DE-HB", "Bremen"),
    (HH, "DE-HH", "Hamburg"),
    (HE, "DE-HE", "Hessen"),
    (MV, "DE-MV", "Mecklenburg-Vorpommern"),
    (NI, "DE-NI", "Niedersachsen"),
    (NW, "DE-NW", "Nordrhein-Westfalen"),
    (RP, "DE-RP", "Rheinland-Pfalz"),
    (SL, "DE-SL", "Saarland"),
    (SN, "DE-SN", "Sachsen"),
    (ST, "DE-ST", "Sachsen-Anhalt"),
    (SH, "DE-SH", "Schleswig-Holstein"),
    (TH, "DE-TH", "Thüringen"),
];

impl Region {
    /// Every preset: code and name.
    pub fn all() -> Vec<(&'static str, &'static str)> {
        std::iter::once(("DE", "Deutschland (bundesweit)")).chain(STATES.iter().map(|&(_, c, n)| (c, n))).collect()
    }

    pub fn parse(code: &str) -> Option<Self> {
        if code == "DE" {
            return Some(Region::Germany);
        }
        STATES.iter().find(|(_, c, _)| *c == code).map(|&(s, _, _)| Region::State(s))
    }

    pub fn code(self) -> &'static str {
        match self {
            Region::Germany => "DE",
            Region::State(s) => STATES.iter().find(|(x, _, _)| *x == s).map_or("DE", |(_, c, _)| c),
        }
    }

    pub fn is_holiday(self, date: NaiveDate) -> bool {
        self.holidays(date.year()).iter().any(|(d, _)| *d == date)
    }

    /// The public holidays of `year`, in date order, with their German names.
    pub fn holidays(self, year: i32) -> Vec<(NaiveDate, &'static str)> {
        let state = match self {
            Region::Germany => None,
            Region::State(s) => Some(s),
        };
        let is = |states: &[State]| state.is_some_and(|s| states.contains(&s));
        let easter = easter_sunday(year);
        let date = |m, d| NaiveDate::from_ymd_opt(year, m, d);
        let from_easter = |days: i64| Some(easter + Duration::days(days));
        let candidates: [(Option<NaiveDate>, &'static str, bool); 19] = [
            (date(1, 1), "Neujahr", true),
            (date(1, 6), "Heilige Drei Könige", is(&[BW, BY, ST])),
            (date(3, 8), "Internationaler Frauentag", (is(&[BE]) && year >= 2019) || (is(&[MV]) && year >= 2023)),
            (from_easter(-2), "Karfreitag", true),
            (from_easter(0), "Ostersonntag", is(&[BB])),
            (from_easter(1), "Ostermontag", true),
            (date(5, 1), "Tag der Arbeit", true),
            (from_easter(39), "Christi Himmelfahrt", true),
            (from_easter(49), "Pfingstsonntag", is(&[BB])),
            (from_easter(50), "Pfingstmontag", true),
            (from_easter(60), "Fronleichnam", is(&[BW, BY, HE, NW, RP, SL])),
            (date(8, 15), "Mariä Himmelfahrt", is(&[SL])),
            (date(9, 20), "Weltkindertag", is(&[TH]) && year >= 2019),
            (date(10, 3), "Tag der Deutschen Einheit", true),
            (
                date(10, 31),
                "Reformationstag",
                year == 2017 || is(&[BB, MV, SN, ST, TH]) || (is(&[HB, HH, NI, SH]) && year >= 2018),
            ),
            (date(11, 1), "Allerheiligen", is(&[BW, BY, NW, RP, SL])),
            (repentance_day(year), "Buß- und Bettag", is(&[SN])),
            (date(12, 25), "1. Weihnachtstag", true),
            (date(12, 26), "2. Weihnachtstag", true),
        ];
        let mut days: Vec<(NaiveDate, &'static str)> = candidates
            .into_iter()
            .filter_map(|(d, name, observed)| d.filter(|_| observed).map(|d| (d, name)))
            .collect();
        days.sort_by_key(|(d, _)| *d);
        days
    }
}

/// Easter Sunday of the Gregorian calendar (the anonymous Gregorian algorithm).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month.unsigned_abs(), day.unsigned_abs()).unwrap_or(NaiveDate::MIN)
}

/// The Wednesday before 23 November.
fn repentance_day(year: i32) -> Option<NaiveDate> {
    let mut d = NaiveDate::from_ymd_opt(year, 11, 22)?;
    while d.weekday() != Weekday::Wed {
        d = d.pred_opt()?;
    }
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn easter_sunday_matches_the_published_dates() {
        for (y, m, d) in [(2024, 3, 31), (2025, 4, 20), (2026, 4, 5), (2027, 3, 28), (2038, 4, 25), (2285, 3, 22)] {
            assert_eq!(easter_sunday(y), day(y, m, d), "{y}");
        }
    }

    #[test]
    fn germany_has_nine_nationwide_holidays_and_the_states_add_theirs() {
        let de = Region::Germany.holidays(2026);
        assert_eq!(de.len(), 9);
        assert!(de.contains(&(day(2026, 4, 6), "Ostermontag")));
        assert!(de.contains(&(day(2026, 10, 3), "Tag der Deutschen Einheit")));
        assert!(Region::Germany.is_holiday(day(2027, 5, 6)), "Ascension 2027");
        let by = Region::parse("DE-BY").unwrap();
        assert!(by.is_holiday(day(2026, 6, 4)), "Corpus Christi 2026 in Bavaria");
        assert!(!Region::Germany.is_holiday(day(2026, 6, 4)));
        assert!(Region::parse("DE-SN").unwrap().is_holiday(day(2026, 11, 18)), "Repentance Day 2026");
        assert!(Region::parse("DE-BE").unwrap().is_holiday(day(2026, 3, 8)));
        assert!(!Region::parse("DE-BE").unwrap().is_holiday(day(2018, 3, 8)));
        assert_eq!(Region::parse("DE-XX"), None);
        assert!(Region::all().iter().all(|(code, _)| Region::parse(code).map(Region::code) == Some(*code)));
    }
}
