//! `/api/v1/calendars`: business hours and holidays (admins write, staff read). Calendar 1 is
//! open around the clock and cannot be deleted; a calendar an SLA policy uses cannot be either.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;
use helpdesk_types::{
    Problem,
    sla::{Calendar as CalendarView, CalendarInput, CalendarPatch, Holiday, HolidayRegion, OpeningInterval, Weekday},
    validation::line_problem,
};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{
    calendar::{Calendar, Minute},
    holidays::Region,
};
use crate::{
    auth::{Admin, Staff},
    db::{
        self,
        schema::{calendars, sla_policies},
    },
    error::{ApiError, FieldErrors, ProblemCode},
    state::AppState,
};

/// The calendar that is open around the clock.
pub const ALWAYS_OPEN: i64 = 1;
const MAX_INTERVALS: usize = 70;
const MAX_HOLIDAYS: usize = 400;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_regions)
        .service(preview_holidays)
        .service(list_calendars)
        .service(get_calendar)
        .service(create_calendar)
        .service(update_calendar)
        .service(delete_calendar);
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = calendars, check_for_backend(diesel::pg::Pg))]
pub struct CalendarRow {
    pub id: i64,
    pub name: String,
    pub time_zone: String,
    pub opening_hours: serde_json::Value,
    pub holidays: serde_json::Value,
    pub holiday_region: Option<String>,
    pub created_at: chrono::DateTime<Utc>,
    pub updated_at: chrono::DateTime<Utc>,
}

impl CalendarRow {
    fn intervals(&self) -> Vec<OpeningInterval> {
        Vec::<OpeningInterval>::deserialize(&self.opening_hours).unwrap_or_default()
    }

    fn holiday_list(&self) -> Vec<Holiday> {
        Vec::<Holiday>::deserialize(&self.holidays).unwrap_or_default()
    }

    /// The calendar for arithmetic (stored rows were validated on the way in).
    pub fn calendar(&self) -> Calendar {
        if self.id == ALWAYS_OPEN {
            return Calendar::always_open();
        }
        let tz: Tz = self.time_zone.parse().unwrap_or(Tz::UTC);
        let mut week: [Vec<(Minute, Minute)>; 7] = Default::default();
        for i in self.intervals() {
            if let (Some(a), Some(b)) = (minute(&i.start), minute(&i.end)) {
                week[weekday_index(i.weekday)].push((a, b));
            }
        }
        let holidays = self.holiday_list();
        let dates = holidays.iter().filter(|h| !h.yearly).map(|h| h.date);
        let yearly = holidays.iter().filter(|h| h.yearly).map(|h| (h.date.month(), h.date.day()));
        Calendar::new(tz, week, dates, yearly, self.holiday_region.as_deref().and_then(Region::parse))
    }

    fn view(self, used_by_policies: i64) -> CalendarView {
        CalendarView {
            opening_hours: self.intervals(),
            holidays: self.holiday_list(),
            id: self.id,
            name: self.name,
            time_zone: self.time_zone,
            holiday_region: self.holiday_region,
            used_by_policies,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

fn weekday_index(d: Weekday) -> usize {
    Weekday::ALL.iter().position(|w| *w == d).unwrap_or(0)
}

/// `"HH:MM"` as minutes after midnight; `"24:00"` is 1440.
fn minute(text: &str) -> Option<Minute> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (Minute, Minute) = (h.parse().ok()?, m.parse().ok()?);
    let total = h.checked_mul(60)?.checked_add(m)?;
    (m < 60 && total <= 1440).then_some(total)
}

/// Checks a whole calendar; field errors name the item (`opening_hours[2].end`).
fn validate(input: &CalendarInput) -> Result<(), ApiError> {
    let mut errors = FieldErrors::new();
    let mut add = |field: String, message: String| errors.entry(field).or_default().push(message);
    if let Some(p) = line_problem(&input.name, 100) {
        add("name".into(), p);
    }
    if input.time_zone.parse::<Tz>().is_err() {
        add("time_zone".into(), "must be an IANA time zone such as Europe/Berlin".into());
    }
    if input.opening_hours.is_empty() {
        add("opening_hours".into(), "must list at least one opening interval".into());
    }
    if input.opening_hours.len() > MAX_INTERVALS {
        add("opening_hours".into(), format!("must list at most {MAX_INTERVALS} intervals"));
    }
    for (n, i) in input.opening_hours.iter().enumerate() {
        match (minute(&i.start), minute(&i.end)) {
            (None, _) => add(format!("opening_hours[{n}].start"), "must be a time from 00:00 to 23:59".into()),
            (_, None) => add(format!("opening_hours[{n}].end"), "must be a time from 00:01 to 24:00".into()),
            (Some(a), Some(b)) if b <= a => add(format!("opening_hours[{n}].end"), "must be after start".into()),
            _ => {}
        }
    }
    if input.holidays.len() > MAX_HOLIDAYS {
        add("holidays".into(), format!("must list at most {MAX_HOLIDAYS} days"));
    }
    for (n, h) in input.holidays.iter().enumerate() {
        if let Some(p) = line_problem(&h.name, 100) {
            add(format!("holidays[{n}].name"), p);
        }
    }
    if let Some(code) = &input.holiday_region
        && Region::parse(code).is_none()
    {
        add("holiday_region".into(), "must be DE or a federal state code such as DE-BY".into());
    }
    if errors.is_empty() { Ok(()) } else { Err(ApiError::Validation(errors)) }
}

fn name_taken(err: diesel::result::Error) -> ApiError {
    ApiError::unique_violation(err, ProblemCode::NameTaken, "name", "is already used by another calendar")
}

fn usage(conn: &mut PgConnection) -> QueryResult<BTreeMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = sla_policies::table
        .group_by(sla_policies::calendar_id)
        .select((sla_policies::calendar_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

fn find(conn: &mut PgConnection, id: i64) -> Result<CalendarRow, ApiError> {
    calendars::table.find(id).select(CalendarRow::as_select()).first(conn).optional()?.ok_or(ApiError::NotFound)
}

/// The holiday presets: Germany and its federal states.
#[utoipa::path(
    operation_id = "listHolidayRegions",
    tag = "calendars",
    security(("bearer" = [])),
    responses((status = 200, description = "Codes and names.", body = Vec<HolidayRegion>)),
)]
#[get("/calendars/holiday-regions")]
pub async fn list_regions(_staff: Staff) -> web::Json<Vec<HolidayRegion>> {
    web::Json(
        Region::all().into_iter().map(|(code, name)| HolidayRegion { code: code.into(), name: name.into() }).collect(),
    )
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PreviewQuery {
    /// `DE` or a federal state such as `DE-BY`.
    region: String,
    /// 1900 to 2999.
    year: i32,
}

/// The public holidays a preset gives in one year.
#[utoipa::path(
    tag = "calendars",
    params(PreviewQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The holidays, in date order.", body = Vec<Holiday>),
        (status = 422, description = "Unknown region or year out of range.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/calendars/holidays")]
pub async fn preview_holidays(
    _staff: Staff,
    query: web::Query<PreviewQuery>,
) -> Result<web::Json<Vec<Holiday>>, ApiError> {
    let region = Region::parse(&query.region)
        .ok_or_else(|| ApiError::field("region", "must be DE or a federal state code such as DE-BY"))?;
    if !(1900..=2999).contains(&query.year) {
        return Err(ApiError::field("year", "must be between 1900 and 2999"));
    }
    Ok(web::Json(
        region
            .holidays(query.year)
            .into_iter()
            .map(|(date, name): (NaiveDate, &str)| Holiday { date, name: name.into(), yearly: false })
            .collect(),
    ))
}

/// Every calendar, by name.
#[utoipa::path(
    tag = "calendars",
    security(("bearer" = [])),
    responses((status = 200, description = "The calendars.", body = Vec<CalendarView>)),
)]
#[get("/calendars")]
pub async fn list_calendars(
    _staff: Staff,
    state: web::Data<AppState>,
) -> Result<web::Json<Vec<CalendarView>>, ApiError> {
    let list = db::run(&state.pool, |conn| {
        let used = usage(conn)?;
        let rows: Vec<CalendarRow> =
            calendars::table.select(CalendarRow::as_select()).order((calendars::name, calendars::id)).load(conn)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let n = used.get(&r.id).copied().unwrap_or(0);
                r.view(n)
            })
            .collect())
    })
    .await?;
    Ok(web::Json(list))
}

/// One calendar.
#[utoipa::path(
    tag = "calendars",
    params(("id" = i64, Path, description = "Calendar id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The calendar.", body = CalendarView),
        (status = 404, description = "No such calendar.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/calendars/{id}")]
pub async fn get_calendar(
    _staff: Staff,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<web::Json<CalendarView>, ApiError> {
    let id = id.into_inner();
    let view = db::run(&state.pool, move |conn| {
        let row = find(conn, id)?;
        let used = usage(conn)?.get(&id).copied().unwrap_or(0);
        Ok(row.view(used))
    })
    .await?;
    Ok(web::Json(view))
}

/// Create a calendar.
#[utoipa::path(
    tag = "calendars",
    request_body = CalendarInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created.", body = CalendarView),
        (status = 409, description = "`name_taken`.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid (the field names the interval or holiday).", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/calendars")]
pub async fn create_calendar(
    _admin: Admin,
    state: web::Data<AppState>,
    body: web::Json<CalendarInput>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    validate(&body)?;
    let row = db::run(&state.pool, move |conn| {
        diesel::insert_into(calendars::table)
            .values((
                calendars::name.eq(body.name.trim()),
                calendars::time_zone.eq(&body.time_zone),
                calendars::opening_hours.eq(serde_json::json!(&body.opening_hours)),
                calendars::holidays.eq(serde_json::json!(trimmed(body.holidays))),
                calendars::holiday_region.eq(&body.holiday_region),
            ))
            .returning(CalendarRow::as_returning())
            .get_result(conn)
            .map_err(name_taken)
    })
    .await?;
    Ok(HttpResponse::Created().json(row.view(0)))
}

fn trimmed(holidays: Vec<Holiday>) -> Vec<Holiday> {
    holidays.into_iter().map(|h| Holiday { name: h.name.trim().to_owned(), ..h }).collect()
}

/// Change a calendar. Deadlines of existing tickets move when their priority changes or their
/// clock resumes; new tickets use the new hours at once.
#[utoipa::path(
    tag = "calendars",
    params(("id" = i64, Path, description = "Calendar id")),
    request_body = CalendarPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The calendar.", body = CalendarView),
        (status = 404, description = "No such calendar.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`name_taken`, or calendar 1 (around the clock), which cannot change.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/calendars/{id}")]
pub async fn update_calendar(
    _admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Json<CalendarPatch>,
) -> Result<web::Json<CalendarView>, ApiError> {
    let (id, patch) = (id.into_inner(), body.into_inner());
    let view = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current = find(conn, id)?;
            if id == ALWAYS_OPEN && patch != (CalendarPatch { name: patch.name.clone(), ..Default::default() }) {
                return Err(ApiError::conflict(
                    ProblemCode::BuiltIn,
                    "The around-the-clock calendar cannot change its hours; create a new calendar instead.",
                ));
            }
            let input = CalendarInput {
                name: patch.name.unwrap_or_else(|| current.name.clone()),
                time_zone: patch.time_zone.unwrap_or_else(|| current.time_zone.clone()),
                opening_hours: patch.opening_hours.unwrap_or_else(|| current.intervals()),
                holidays: patch.holidays.unwrap_or_else(|| current.holiday_list()),
                holiday_region: patch.holiday_region.unwrap_or_else(|| current.holiday_region.clone()),
            };
            validate(&input)?;
            let row: CalendarRow = diesel::update(calendars::table.find(id))
                .set((
                    calendars::name.eq(input.name.trim()),
                    calendars::time_zone.eq(&input.time_zone),
                    calendars::opening_hours.eq(serde_json::json!(&input.opening_hours)),
                    calendars::holidays.eq(serde_json::json!(trimmed(input.holidays))),
                    calendars::holiday_region.eq(&input.holiday_region),
                    calendars::updated_at.eq(Utc::now()),
                ))
                .returning(CalendarRow::as_returning())
                .get_result(conn)
                .map_err(name_taken)?;
            let used = usage(conn)?.get(&id).copied().unwrap_or(0);
            Ok(row.view(used))
        })
    })
    .await?;
    Ok(web::Json(view))
}

/// Delete a calendar no SLA policy uses.
#[utoipa::path(
    tag = "calendars",
    params(("id" = i64, Path, description = "Calendar id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, description = "No such calendar.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`in_use` (policies use it; `policies` counts them) or `built_in` (calendar 1).", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/calendars/{id}")]
pub async fn delete_calendar(
    _admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            find(conn, id)?;
            if id == ALWAYS_OPEN {
                return Err(ApiError::conflict(
                    ProblemCode::BuiltIn,
                    "The around-the-clock calendar cannot be deleted.",
                ));
            }
            let used = usage(conn)?.get(&id).copied().unwrap_or(0);
            if used > 0 {
                let mut err = ApiError::conflict(
                    ProblemCode::InUse,
                    format!("{used} SLA policies use this calendar; give them another calendar first."),
                );
                if let ApiError::Conflict { extensions, .. } = &mut err {
                    extensions.insert("policies".into(), used.into());
                }
                return Err(err);
            }
            diesel::delete(calendars::table.find(id)).execute(conn)?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
