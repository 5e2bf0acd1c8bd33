//! Business calendars, SLA figures, in-app notifications, scheduled jobs and reports.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

crate::text_enum! {
    pub enum Weekday {
        Mon = "mon",
        Tue = "tue",
        Wed = "wed",
        Thu = "thu",
        Fri = "fri",
        Sat = "sat",
        Sun = "sun",
    }
}

/// One opening interval on one weekday, in the calendar's local time (`"08:00"` to `"18:00"`;
/// `"24:00"` is the end of the day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"weekday": "mon", "start": "08:00", "end": "18:00"})))]
pub struct OpeningInterval {
    pub weekday: Weekday,
    pub start: String,
    pub end: String,
}

/// A day on which the calendar is closed; `yearly`: the same day every year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: String,
    #[serde(default)]
    pub yearly: bool,
}

/// Business hours and holidays; SLA deadlines count only open time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Calendar {
    pub id: i64,
    pub name: String,
    /// IANA time zone, e.g. `Europe/Berlin`.
    pub time_zone: String,
    pub opening_hours: Vec<OpeningInterval>,
    /// Own holidays, besides the preset's.
    pub holidays: Vec<Holiday>,
    /// A computed holiday preset: `DE` (nationwide) or a federal state such as `DE-BY`.
    pub holiday_region: Option<String>,
    /// SLA policies that use this calendar.
    pub used_by_policies: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/calendars`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "name": "Office hours", "time_zone": "Europe/Berlin", "holiday_region": "DE-BY",
    "opening_hours": [
        {"weekday": "mon", "start": "08:00", "end": "18:00"}, {"weekday": "tue", "start": "08:00", "end": "18:00"},
        {"weekday": "wed", "start": "08:00", "end": "18:00"}, {"weekday": "thu", "start": "08:00", "end": "18:00"},
        {"weekday": "fri", "start": "08:00", "end": "18:00"}],
    "holidays": [{"date": "2026-12-24", "name": "Heiligabend", "yearly": true}]
})))]
pub struct CalendarInput {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub name: String,
    /// Default `Europe/Berlin`.
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 70))]
    pub opening_hours: Vec<OpeningInterval>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 400))]
    pub holidays: Vec<Holiday>,
    #[serde(default)]
    pub holiday_region: Option<String>,
}

pub fn default_time_zone() -> String {
    "Europe/Berlin".to_owned()
}

/// `PATCH /api/v1/calendars/{id}`: only the fields given change; `holiday_region: null` removes
/// the preset.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarPatch {
    pub name: Option<String>,
    pub time_zone: Option<String>,
    pub opening_hours: Option<Vec<OpeningInterval>>,
    pub holidays: Option<Vec<Holiday>>,
    #[serde(default, with = "crate::organizations::double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub holiday_region: Option<Option<String>>,
}

/// A holiday preset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HolidayRegion {
    pub code: String,
    pub name: String,
}

/// One target of a ticket's SLA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaTarget {
    pub due_at: DateTime<Utc>,
    pub status: crate::tickets::SlaStatus,
    /// Business minutes left until the deadline (negative: overdue); `null` once met or missed.
    pub business_minutes_left: Option<i64>,
}
