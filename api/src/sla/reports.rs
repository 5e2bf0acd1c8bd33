//! Reports for staff: SLA performance per group and ticket volume over time. Both read
//! `sla_facts`, one row per ticket kept in step with it and outliving erased and deleted
//! tickets, so figures for past periods do not change when data is erased. Periods are
//! calendar days, weeks and months in `Europe/Berlin`.

use actix_web::{get, web};
use chrono::{DateTime, Duration, Utc};
use diesel::{
    prelude::*,
    sql_types::{BigInt, Double, Nullable, Text, Timestamptz},
};
use helpdesk_types::{
    Problem,
    jobs::{SlaReportQuery, SlaReportRow, VolumePoint, VolumeReportQuery},
};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{auth::Staff, db, error::ApiError, state::AppState};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(sla_report).service(volume_report);
}

/// The longest period a report covers.
const MAX_DAYS: i64 = 3 * 366;

fn check_range(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<(), ApiError> {
    if to <= from {
        return Err(ApiError::field("to", "must be after from"));
    }
    if to - from > Duration::days(MAX_DAYS) {
        return Err(ApiError::field("to", format!("must be at most {MAX_DAYS} days after from")));
    }
    Ok(())
}

#[derive(QueryableByName)]
struct GroupRow {
    #[diesel(sql_type = Text)]
    grp: String,
    #[diesel(sql_type = BigInt)]
    tickets: i64,
    #[diesel(sql_type = Nullable<Double>)]
    fr_met: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    res_met: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    fr_median: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    fr_p90: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    res_median: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    res_p90: Option<f64>,
    #[diesel(sql_type = BigInt)]
    breaches: i64,
}

/// SLA figures of the tickets created in `[from, to)`, grouped by contract tier, priority,
/// category or agent: share met, median and 90th percentile business minutes, breaches.
#[utoipa::path(
    tag = "reports",
    params(SlaReportQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One row per group.", body = Vec<SlaReportRow>),
        (status = 422, description = "Bad range (at most 3 years) or group.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/reports/sla")]
pub async fn sla_report(
    _staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<SlaReportQuery>,
) -> Result<web::Json<Vec<SlaReportRow>>, ApiError> {
    let q = query.into_inner();
    check_range(q.from, q.to)?;
    let (group, join) = match q.group_by.as_deref().unwrap_or("tier") {
        "tier" => ("f.contract_tier", ""),
        "priority" => ("f.priority", ""),
        "category" => ("coalesce(c.name, 'none')", "LEFT JOIN categories c ON c.id = f.category_id"),
        "agent" => ("coalesce(u.full_name, 'unassigned')", "LEFT JOIN users u ON u.id = f.assignee_id"),
        _ => return Err(ApiError::field("group_by", "must be tier, priority, category or agent")),
    };
    let sql = format!(
        "SELECT {group} AS grp, count(*) AS tickets,
            (100.0 * count(*) FILTER (WHERE f.first_response_seconds IS NOT NULL AND NOT f.first_response_breached)
                / nullif(count(*) FILTER (WHERE f.first_response_seconds IS NOT NULL), 0))::float8 AS fr_met,
            (100.0 * count(*) FILTER (WHERE f.resolved_at IS NOT NULL AND NOT f.resolution_breached)
                / nullif(count(*) FILTER (WHERE f.resolved_at IS NOT NULL), 0))::float8 AS res_met,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY f.first_response_seconds) / 60 AS fr_median,
            percentile_cont(0.9) WITHIN GROUP (ORDER BY f.first_response_seconds) / 60 AS fr_p90,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY f.resolution_seconds) / 60 AS res_median,
            percentile_cont(0.9) WITHIN GROUP (ORDER BY f.resolution_seconds) / 60 AS res_p90,
            count(*) FILTER (WHERE f.first_response_breached OR f.resolution_breached) AS breaches
         FROM sla_facts f {join}
         WHERE f.created_at >= $1 AND f.created_at < $2
         GROUP BY 1 ORDER BY 1"
    );
    let rows: Vec<GroupRow> = db::run(&state.pool, move |conn| {
        Ok(diesel::sql_query(sql).bind::<Timestamptz, _>(q.from).bind::<Timestamptz, _>(q.to).load(conn)?)
    })
    .await?;
    let round = |v: Option<f64>| v.map(|x| (x * 10.0).round() / 10.0);
    Ok(web::Json(
        rows.into_iter()
            .map(|r| SlaReportRow {
                group: r.grp,
                tickets: r.tickets,
                first_response_met_percent: round(r.fr_met),
                resolution_met_percent: round(r.res_met),
                first_response_median_minutes: round(r.fr_median),
                first_response_p90_minutes: round(r.fr_p90),
                resolution_median_minutes: round(r.res_median),
                resolution_p90_minutes: round(r.res_p90),
                breaches: r.breaches,
            })
            .collect(),
    ))
}

#[derive(QueryableByName)]
struct PointRow {
    #[diesel(sql_type = Timestamptz)]
    start: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Date)]
    date: chrono::NaiveDate,
    #[diesel(sql_type = BigInt)]
    created: i64,
    #[diesel(sql_type = BigInt)]
    resolved: i64,
    #[diesel(sql_type = BigInt)]
    backlog: i64,
}

/// Tickets created and resolved per day, week or month of `[from, to)`, and the backlog (created
/// and not resolved) at the end of each.
#[utoipa::path(
    tag = "reports",
    params(VolumeReportQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One point per interval, oldest first.", body = Vec<VolumePoint>),
        (status = 422, description = "Bad range (at most 3 years) or interval.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/reports/volume")]
pub async fn volume_report(
    _staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<VolumeReportQuery>,
) -> Result<web::Json<Vec<VolumePoint>>, ApiError> {
    let q = query.into_inner();
    check_range(q.from, q.to)?;
    let unit: &'static str = match q.interval.as_deref().unwrap_or("day") {
        "day" => "day",
        "week" => "week",
        "month" => "month",
        _ => return Err(ApiError::field("interval", "must be day, week or month")),
    };
    // Backlog at the end of a bucket = everything created before its end minus everything
    // resolved before it: the counts before the range, then running sums.
    let sql = "WITH buckets AS (
            SELECT g AS start, g + ('1 ' || $3)::interval AS stop
            FROM generate_series(date_trunc($3, $1::timestamptz), $2::timestamptz - interval '1 microsecond', ('1 ' || $3)::interval) g),
         created AS (SELECT date_trunc($3, created_at) AS b, count(*) AS n FROM sla_facts
                     WHERE created_at >= (SELECT min(start) FROM buckets) AND created_at < $2 GROUP BY 1),
         resolved AS (SELECT date_trunc($3, resolved_at) AS b, count(*) AS n FROM sla_facts
                      WHERE resolved_at >= (SELECT min(start) FROM buckets) AND resolved_at < $2 GROUP BY 1),
         base AS (SELECT (SELECT count(*) FROM sla_facts WHERE created_at < (SELECT min(start) FROM buckets))
                       - (SELECT count(*) FROM sla_facts WHERE resolved_at < (SELECT min(start) FROM buckets)) AS n)
         SELECT buckets.start, buckets.start::date AS date, coalesce(c.n, 0)::bigint AS created, coalesce(r.n, 0)::bigint AS resolved,
                ((SELECT n FROM base) + sum(coalesce(c.n, 0) - coalesce(r.n, 0)) OVER (ORDER BY buckets.start))::bigint AS backlog
         FROM buckets LEFT JOIN created c ON c.b = buckets.start LEFT JOIN resolved r ON r.b = buckets.start
         ORDER BY buckets.start";
    let rows: Vec<PointRow> = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            diesel::sql_query("SET LOCAL TIME ZONE 'Europe/Berlin'").execute(conn)?;
            Ok(diesel::sql_query(sql)
                .bind::<Timestamptz, _>(q.from)
                .bind::<Timestamptz, _>(q.to)
                .bind::<Text, _>(unit)
                .load(conn)?)
        })
    })
    .await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|r| VolumePoint {
                start: r.start,
                date: r.date,
                created: r.created,
                resolved: r.resolved,
                backlog: r.backlog,
            })
            .collect(),
    ))
}
