// Which period a view asks the API about: the date presets and a custom range of days, resolved
// on the calendar of the view's time zone. The API counts; this only names the days.

export const RANGES = {
  today: "Today",
  yesterday: "Yesterday",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  "90d": "Last 90 days",
  mtd: "Month to date",
  "12mo": "Last 12 months",
  ytd: "Year to date",
  custom: "Custom range",
};

export const INTERVALS = { hour: "Hours", day: "Days", week: "Weeks", month: "Months" };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isDate(text) {
  return typeof text === "string" && DATE.test(text) && !Number.isNaN(Date.parse(text + "T00:00:00Z"));
}

/** Today's date (YYYY-MM-DD) on the wall clock of `zone`. */
export function todayIn(zone, now = new Date()) {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(now);
}

/** The calendar date `days` after (or before) `date`. */
export function addDays(date, days) {
  const moment = new Date(date + "T00:00:00Z");
  moment.setUTCDate(moment.getUTCDate() + days);
  return moment.toISOString().slice(0, 10);
}

function firstOfMonthBefore(date, months) {
  const moment = new Date(date.slice(0, 7) + "-01T00:00:00Z");
  moment.setUTCMonth(moment.getUTCMonth() - months);
  return moment.toISOString().slice(0, 10);
}

/** The `timeframe` parameter for a view: a word the API knows, or whole days {from, to}. */
export function timeframe(state, now = new Date()) {
  const today = safeToday(state.tz, now);
  switch (state.range) {
    case "today":
      return "today";
    case "yesterday":
      return "yesterday";
    case "mtd":
      return "month to date";
    case "ytd":
      return "year to date";
    case "7d":
      return { from: addDays(today, -6), to: today };
    case "90d":
      return { from: addDays(today, -89), to: today };
    case "12mo":
      return { from: firstOfMonthBefore(today, 11), to: today };
    case "custom":
      return { from: state.from, to: state.to };
    default:
      return { from: addDays(today, -29), to: today };
  }
}

function safeToday(zone, now) {
  try {
    return todayIn(zone, now);
  } catch {
    return todayIn("UTC", now); // an unknown zone: the API's answer says so
  }
}

/** The bucket width a range is best seen in, when the URL does not choose one. */
export function defaultInterval(range, from, to) {
  if (range === "today" || range === "yesterday") return "hour";
  if (range === "90d") return "week";
  if (range === "12mo" || range === "ytd") return "month";
  if (range === "custom" && isDate(from) && isDate(to)) {
    const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
    if (days <= 2) return "hour";
    if (days <= 62) return "day";
    if (days <= 366) return "week";
    return "month";
  }
  return "day";
}

/** The API's `interval` for a bucket width. */
export function intervalParam(interval) {
  return `1 ${interval}`;
}

/** A bucket's nominal length in seconds, to line the comparison period's buckets up. */
export function nominalSeconds(interval) {
  return { minute: 60, hour: 3600, day: 86_400, week: 604_800, month: 2_629_800 }[interval] || 86_400;
}
