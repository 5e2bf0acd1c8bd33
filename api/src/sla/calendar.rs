//! Business time: when a calendar is open, and the arithmetic the SLA deadlines need.
//!
//! A calendar is a time zone, weekly opening intervals (local wall-clock times, several per
//! day) and holidays. Business time is real elapsed time inside the open periods: an interval
//! 08:00–18:00 on the day clocks go forward is still ten hours on the clock but only nine real
//! hours if it spans the change, which is what a customer waiting on the phone experiences.
//! Local times that do not exist (the hour skipped in spring) move to the first instant after
//! the gap; ambiguous ones (the hour repeated in autumn) open at the earlier and close at the
//! later instant. Periods are walked in order and clipped, so no instant is ever counted twice.
//!
//! Property tests in this file prove the laws the SLA engine relies on: `add(add(t, a), b) ==
//! add(t, a + b)`, a deadline never falls outside opening hours, and `elapsed(t, add(t, a)) == a`.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::holidays::Region;

/// Minutes after local midnight; `1440` is the end of the day.
pub type Minute = u16;

/// How many local days a computation may walk before giving up (a calendar that is open an
/// hour a week still reaches a one-year target within this).
const MAX_DAYS: i64 = 366 * 200;

/// A business calendar, ready for arithmetic.
#[derive(Debug, Clone)]
pub struct Calendar {
    tz: Tz,
    /// Opening intervals per weekday (0 = Monday): sorted, disjoint, never touching.
    week: [Vec<(Minute, Minute)>; 7],
    /// One-off holidays.
    dates: HashSet<NaiveDate>,
    /// Holidays on the same day every year (month, day).
    yearly: HashSet<(u32, u32)>,
    region: Option<Region>,
}

impl Calendar {
    /// Open around the clock, no holidays, in UTC: the default calendar.
    pub fn always_open() -> Self {
        Self::new(Tz::UTC, std::array::from_fn(|_| vec![(0, 1440)]), [], [], None)
    }

    /// `week[d]` lists day `d`'s opening intervals (0 = Monday); they may be unsorted and
    /// touching, and are normalised here. Intervals outside `0..=1440` or empty are dropped.
    pub fn new(
        tz: Tz,
        week: [Vec<(Minute, Minute)>; 7],
        dates: impl IntoIterator<Item = NaiveDate>,
        yearly: impl IntoIterator<Item = (u32, u32)>,
        region: Option<Region>,
    ) -> Self {
        Self {
            tz,
            week: week.map(normalise),
            dates: dates.into_iter().collect(),
            yearly: yearly.into_iter().collect(),
            region,
        }
    }

    /// True when the calendar is open at least once a week.
    pub fn ever_open(&self) -> bool {
        self.week.iter().any(|d| !d.is_empty())
    }

    fn always(&self) -> bool {
        self.week.iter().all(|d| d.as_slice() == [(0, 1440)])
            && self.dates.is_empty()
            && self.yearly.is_empty()
            && self.region.is_none()
    }

    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.dates.contains(&date)
            || self.yearly.contains(&(date.month(), date.day()))
            || self.region.is_some_and(|r| r.is_holiday(date))
    }

    /// The open periods of one local day, in order, as instants.
    fn periods(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if self.is_holiday(date) {
            return Vec::new();
        }
        let day = date.weekday().num_days_from_monday() as usize;
        self.week[day].iter().map(|&(a, b)| (self.instant(date, a, true), self.instant(date, b, false))).collect()
    }

    /// The instant of local `minute` on `date`.
    fn instant(&self, date: NaiveDate, minute: Minute, opening: bool) -> DateTime<Utc> {
        let mut local = NaiveDateTime::new(date, NaiveTime::MIN) + Duration::minutes(minute.into());
        // A local time skipped by a DST change: the first one after the gap (gaps are at most
        // a few hours anywhere).
        for _ in 0..16 {
            match self.tz.from_local_datetime(&local) {
                LocalResult::Single(t) => return t.with_timezone(&Utc),
                LocalResult::Ambiguous(early, late) => {
                    return if opening { early } else { late }.with_timezone(&Utc);
                }
                LocalResult::None => local += Duration::minutes(15),
            }
        }
        Utc.from_utc_datetime(&local)
    }

    fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    /// The open periods from the local day before `from` on, clipped so they never overlap.
    fn walk(&self, from: DateTime<Utc>) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        let first = self.local_date(from) - Duration::days(1);
        let mut floor = from;
        first
            .iter_days()
            .take(usize::try_from(MAX_DAYS).unwrap_or(usize::MAX))
            .flat_map(|d| self.periods(d))
            .filter_map(move |(a, b)| {
                let a = a.max(floor);
                if b <= a {
                    return None;
                }
                floor = b;
                Some((a, b))
            })
    }

    /// The instant `seconds` of business time after `start`. With `seconds > 0` the result lies
    /// inside an open period (or at its end). A calendar that never opens gives `None`.
    pub fn add(&self, start: DateTime<Utc>, seconds: i64) -> Option<DateTime<Utc>> {
        if seconds <= 0 {
            return Some(start);
        }
        if self.always() {
            return Some(start + Duration::seconds(seconds));
        }
        let mut left = seconds;
        for (a, b) in self.walk(start) {
            let len = (b - a).num_seconds();
            if len >= left {
                return Some(a + Duration::seconds(left));
            }
            left -= len;
        }
        None
    }

    /// Business seconds between `from` and `to` (0 when `to` is not later).
    pub fn elapsed(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        if self.always() {
            return (to - from).num_seconds();
        }
        let mut total = 0;
        for (a, b) in self.walk(from) {
            if a >= to {
                break;
            }
            total += (b.min(to) - a).num_seconds();
        }
        total
    }

    /// True when `t` lies in an open period (its end excluded).
    pub fn is_open(&self, t: DateTime<Utc>) -> bool {
        let date = self.local_date(t);
        [date - Duration::days(1), date].into_iter().flat_map(|d| self.periods(d)).any(|(a, b)| a <= t && t < b)
    }
}

/// Sorts intervals, drops empty and out-of-range ones, and merges overlapping or touching ones.
fn normalise(mut day: Vec<(Minute, Minute)>) -> Vec<(Minute, Minute)> {
    day.retain(|&(a, b)| a < b && b <= 1440);
    day.sort_unstable();
    let mut out: Vec<(Minute, Minute)> = Vec::with_capacity(day.len());
    for (a, b) in day {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono_tz::Europe::Berlin;
    use proptest::prelude::*;

    use super::*;

    fn office(region: Option<Region>) -> Calendar {
        let day = vec![(8 * 60, 18 * 60)];
        Calendar::new(Berlin, [day.clone(), day.clone(), day.clone(), day.clone(), day, vec![], vec![]], [], [], region)
    }

    fn berlin(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Berlin.with_ymd_and_hms(y, m, d, h, min, 0).single().map(|t| t.with_timezone(&Utc)).unwrap_or_default()
    }

    const HOUR: i64 = 3600;

    #[test]
    fn four_business_hours_from_friday_afternoon_end_monday_morning() {
        // Friday 4 December 2026, 16:30.
        let due = office(None).add(berlin(2026, 12, 4, 16, 30), 4 * HOUR);
        assert_eq!(due, Some(berlin(2026, 12, 7, 10, 30)));
    }

    #[test]
    fn easter_monday_and_unity_day_are_not_business_days_in_the_german_preset() {
        let cal = office(Some(Region::Germany));
        // Maundy Thursday 2027-03-25, 17:00 + 2 h: Good Friday and Easter Monday are holidays.
        assert_eq!(cal.add(berlin(2027, 3, 25, 17, 0), 2 * HOUR), Some(berlin(2027, 3, 30, 9, 0)));
        // Friday 2 October 2026, 17:00 + 2 h: 3 October 2026 is a Saturday anyway; 2027 is a Sunday;
        // 2025 (Friday): Thursday 2 October 17:00 + 2 h lands on Monday 6 October 09:00.
        assert_eq!(cal.add(berlin(2025, 10, 2, 17, 0), 2 * HOUR), Some(berlin(2025, 10, 6, 9, 0)));
        assert!(!cal.is_open(berlin(2025, 10, 3, 12, 0)));
        assert!(cal.is_open(berlin(2025, 10, 2, 12, 0)));
    }

    #[test]
    fn a_night_shift_across_the_spring_dst_change_is_an_hour_shorter() {
        // Open 00:00–06:00 every day; on Sunday 29 March 2026 clocks jump from 02:00 to 03:00.
        let night = vec![(0, 6 * 60)];
        let cal = Calendar::new(Berlin, std::array::from_fn(|_| night.clone()), [], [], None);
        assert_eq!(cal.elapsed(berlin(2026, 3, 29, 0, 0), berlin(2026, 3, 29, 6, 0)), 5 * HOUR);
        assert_eq!(cal.elapsed(berlin(2026, 10, 25, 0, 0), berlin(2026, 10, 25, 6, 0)), 7 * HOUR);
        // Monday to the next Monday across the change: five full days and a Monday, 60 business hours.
        let cal = office(None);
        assert_eq!(cal.elapsed(berlin(2026, 3, 23, 0, 0), berlin(2026, 3, 30, 23, 0)), 60 * HOUR);
        assert_eq!(cal.add(berlin(2026, 3, 27, 17, 0), 2 * HOUR), Some(berlin(2026, 3, 30, 9, 0)));
    }

    #[test]
    fn several_intervals_a_day_and_a_yearly_holiday() {
        let day = vec![(13 * 60, 17 * 60), (8 * 60, 12 * 60)];
        let cal = Calendar::new(Berlin, std::array::from_fn(|_| day.clone()), [], [(12, 24)], None);
        assert_eq!(cal.add(berlin(2026, 12, 1, 11, 0), 2 * HOUR), Some(berlin(2026, 12, 1, 14, 0)));
        assert_eq!(cal.add(berlin(2030, 12, 23, 16, 0), 2 * HOUR), Some(berlin(2030, 12, 25, 9, 0)));
    }

    #[test]
    fn a_calendar_that_never_opens_has_no_deadline() {
        let cal = Calendar::new(Berlin, std::array::from_fn(|_| vec![]), [], [], None);
        assert!(!cal.ever_open());
        assert_eq!(cal.add(berlin(2026, 1, 1, 0, 0), 60), None);
        assert_eq!(cal.elapsed(berlin(2026, 1, 1, 0, 0), berlin(2026, 2, 1, 0, 0)), 0);
    }

    #[test]
    fn around_the_clock_is_wall_clock_time() {
        let cal = Calendar::always_open();
        let t = berlin(2026, 3, 28, 12, 0);
        assert_eq!(cal.add(t, 48 * HOUR), Some(t + Duration::hours(48)));
        // The same calendar spelled out in Berlin time gives the same result across DST.
        let spelled = Calendar::new(Berlin, std::array::from_fn(|_| vec![(0, 1440)]), [], [], None);
        assert_eq!(spelled.add(t, 48 * HOUR), Some(t + Duration::hours(48)));
        assert_eq!(spelled.elapsed(t, t + Duration::hours(48)), 48 * HOUR);
    }

    /// Instants from 2024 to 2028, any second.
    fn instant() -> impl Strategy<Value = DateTime<Utc>> {
        (1_704_067_200i64..1_830_297_600).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap_or_default())
    }

    fn calendar() -> impl Strategy<Value = Calendar> {
        let interval = (0u16..1440, 1u16..600).prop_map(|(a, len)| (a, (a + len).min(1440)));
        let day = prop::collection::vec(interval, 0..3);
        (prop::array::uniform7(day), any::<bool>()).prop_filter_map("never open", |(week, de)| {
            let cal = Calendar::new(Berlin, week, [], [(12, 24)], de.then_some(Region::Germany));
            cal.ever_open().then_some(cal)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn adding_a_then_b_equals_adding_a_plus_b(cal in calendar(), t in instant(), a in 0i64..400_000, b in 0i64..400_000) {
            let step = cal.add(t, a).and_then(|m| cal.add(m, b));
            prop_assert_eq!(step, cal.add(t, a + b));
        }

        #[test]
        fn a_deadline_never_falls_outside_opening_hours(cal in calendar(), t in instant(), a in 1i64..400_000) {
            let due = cal.add(t, a).unwrap_or_default();
            prop_assert!(cal.is_open(due - Duration::seconds(1)), "{due} is not inside an open period");
        }

        #[test]
        fn business_time_from_start_to_deadline_equals_the_target(cal in calendar(), t in instant(), a in 0i64..400_000) {
            let due = cal.add(t, a).unwrap_or_default();
            prop_assert_eq!(cal.elapsed(t, due), a);
        }

        #[test]
        fn business_time_is_additive(cal in calendar(), t in instant(), x in 0i64..2_000_000, y in 0i64..2_000_000) {
            let (m, e) = (t + Duration::seconds(x), t + Duration::seconds(x + y));
            prop_assert_eq!(cal.elapsed(t, m) + cal.elapsed(m, e), cal.elapsed(t, e));
        }
    }
}
