// Numbers and dates as the browser's locale writes them, times on the view's time zone clock.
// Shape only: every value comes from the API as it is; rounding happens here, for the eye.

const NONE = "—";

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const units = {};

function unit(name, value) {
  units[name] ||= new Intl.NumberFormat(undefined, { style: "unit", unit: name, unitDisplay: "short" });
  return units[name].format(value);
}

export function count(value) {
  return value === null || value === undefined ? NONE : integer.format(value);
}

/** Seconds as "42 sec", "3 min 5 sec", "12 hr 4 min", "1,234 hr". */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return NONE;
  const whole = Math.round(seconds);
  if (whole < 60) return unit("second", whole);
  if (whole < 3600) return `${unit("minute", Math.floor(whole / 60))} ${unit("second", whole % 60)}`;
  if (whole < 100 * 3600) {
    return `${unit("hour", Math.floor(whole / 3600))} ${unit("minute", Math.floor((whole % 3600) / 60))}`;
  }
  return unit("hour", Math.round(whole / 3600));
}

/** A position in a video: "1:05", "1:02:03". */
export function position(seconds) {
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

const percentFormat = new Intl.NumberFormat(undefined, { style: "unit", unit: "percent", maximumFractionDigits: 1 });

/** A percentage the API gives in percent (45.2 → "45.2%"). */
export function percent(value) {
  return value === null || value === undefined ? NONE : percentFormat.format(value);
}

const fractionFormat = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });

/** A share the API gives as a fraction from 0 to 1 (0.452 → "45.2%"). */
export function fraction(value) {
  return value === null || value === undefined ? NONE : fractionFormat.format(value);
}

const secondsFormat = new Intl.NumberFormat(undefined, { style: "unit", unit: "second", unitDisplay: "short", maximumFractionDigits: 2 });

/** A short time in seconds, to the hundredth the API stores it to ("0.25 sec", "3.1 sec"). */
export function seconds(value) {
  return value === null || value === undefined ? NONE : secondsFormat.format(value);
}

const rateFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

/** A rate per minute ("1.25 / min"). */
export function perMinute(value) {
  return value === null || value === undefined ? NONE : `${rateFormat.format(value)} / min`;
}

const bitrateFormat = new Intl.NumberFormat(undefined, {
  style: "unit",
  unit: "megabit-per-second",
  unitDisplay: "short",
  maximumFractionDigits: 2,
});

/** A bitrate the API gives in bits per second, as Mb/s. */
export function bitrate(value) {
  return value === null || value === undefined ? NONE : bitrateFormat.format(value / 1_000_000);
}

const changeFormat = new Intl.NumberFormat(undefined, {
  style: "unit",
  unit: "percent",
  maximumFractionDigits: 0,
  signDisplay: "exceptZero",
});
const pointsFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1, signDisplay: "exceptZero" });

/** A change the API gives: in percent, or (for a percentage) in percentage points. */
export function change(value, points = false) {
  if (value === null || value === undefined) return NONE;
  return points ? `${pointsFormat.format(value)} pp` : changeFormat.format(value);
}

const dateFormats = {};

function dateFormat(zone, options) {
  const name = zone + JSON.stringify(options);
  dateFormats[name] ||= new Intl.DateTimeFormat(undefined, { timeZone: zone, ...options });
  return dateFormats[name];
}

const BUCKET = {
  minute: { hour: "numeric", minute: "2-digit" },
  hour: { weekday: "short", day: "numeric", month: "short", hour: "numeric", minute: "2-digit" },
  day: { weekday: "short", day: "numeric", month: "short", year: "numeric" },
  week: { day: "numeric", month: "short", year: "numeric" },
  month: { month: "long", year: "numeric" },
};

/** A bucket's start (an ISO time from the API) as its width reads best. */
export function bucket(iso, interval, zone) {
  try {
    return dateFormat(zone, BUCKET[interval] || BUCKET.day).format(new Date(iso));
  } catch {
    return iso;
  }
}

/** A moment, with date and time. */
export function moment(iso, zone) {
  if (!iso) return NONE;
  try {
    return dateFormat(zone, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
  } catch {
    return iso;
  }
}

/** A day: "Nov 3, 2024". */
export function day(iso, zone) {
  try {
    return dateFormat(zone, { dateStyle: "medium" }).format(new Date(iso));
  } catch {
    return iso;
  }
}

/** A time of day: "3:05 PM". */
export function time(iso, zone) {
  try {
    return dateFormat(zone, { timeStyle: "short" }).format(new Date(iso));
  } catch {
    return iso;
  }
}

/** Axis ticks: the same formats, shorter. */
export function tick(seconds, interval, zone) {
  const short = {
    minute: { hour: "numeric", minute: "2-digit" },
    hour: { hour: "numeric", minute: "2-digit" },
    day: { day: "numeric", month: "short" },
    week: { day: "numeric", month: "short" },
    month: { month: "short", year: "2-digit" },
  };
  try {
    return dateFormat(zone, short[interval] || short.day).format(new Date(seconds * 1000));
  } catch {
    return "";
  }
}

/** The calendar date (YYYY-MM-DD) of an ISO time on a zone's clock, for file names. */
export function isoDate(iso, zone) {
  try {
    return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(
      new Date(iso),
    );
  } catch {
    return iso.slice(0, 10);
  }
}

/** A browser, device or platform name as people write it. */
export function category(name) {
  const special = { ie: "Internet Explorer", ios: "iOS", mac: "macOS" };
  return special[name] || name.charAt(0).toUpperCase() + name.slice(1);
}
