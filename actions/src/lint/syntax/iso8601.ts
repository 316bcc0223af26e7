/**
 * Timer values the Camunda 7 engine accepts: ISO 8601 durations, date-times and repeating intervals,
 * and (for cycles) cron expressions. Expressions (`${…}`) are checked by the JUEL parser instead.
 */

const NUMBER = String.raw`\d+(?:[.,]\d+)?`;
const DURATION = new RegExp(
  String.raw`^P(?!$)(?:${NUMBER}Y)?(?:${NUMBER}M)?(?:${NUMBER}W)?(?:${NUMBER}D)?(?:T(?=\d)(?:${NUMBER}H)?(?:${NUMBER}M)?(?:${NUMBER}S)?)?$`,
);
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const CRON_FIELD = /^[0-9A-Za-z*?/,#-]+$/;

export function isIsoDuration(value: string): boolean {
  return DURATION.test(value);
}

export function isIsoDateTime(value: string): boolean {
  const match = DATE_TIME.exec(value);
  if (!match) return false;
  const [, , month, day, hour, minute, second] = match.map((part) =>
    part === undefined ? undefined : Number(part),
  );
  if (month === undefined || month < 1 || month > 12 || day === undefined || day < 1 || day > 31)
    return false;
  if (hour !== undefined && hour > 24) return false;
  if (minute !== undefined && minute > 59) return false;
  return second === undefined || second <= 60;
}

/** `R[n]/duration`, `R[n]/start/duration`, `R[n]/duration/end`, or a cron expression of 6–7 fields. */
export function isTimeCycle(value: string): boolean {
  if (value.startsWith("R")) {
    const parts = value.split("/");
    if (!/^R\d*$/.test(parts[0] ?? "")) return false;
    const rest = parts.slice(1);
    if (rest.length === 1) return isIsoDuration(rest[0] ?? "");
    if (rest.length === 2) {
      const [a = "", b = ""] = rest;
      return (isIsoDateTime(a) && isIsoDuration(b)) || (isIsoDuration(a) && isIsoDateTime(b));
    }
    return false;
  }
  const fields = value.split(/\s+/);
  return (fields.length === 6 || fields.length === 7) && fields.every((field) => CRON_FIELD.test(field));
}
