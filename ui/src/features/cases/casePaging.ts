/** The case list shows a page of the filtered, sorted rows at a time: the whole
 * list stays in memory (filters and search run over every case), only the DOM
 * is kept small. "Show more" adds the next page. */

/** Rows added by each "Show more". */
export const PAGE_SIZE = 100;

/** How many rows to draw: `limit`, never more than there are. */
export const shownCount = (matching: number, limit: number) => Math.max(0, Math.min(matching, limit));

/** How many rows the next "Show more" adds (0 when every matching row is shown). */
export const moreCount = (matching: number, limit: number, pageSize = PAGE_SIZE) =>
  Math.min(pageSize, Math.max(0, matching - shownCount(matching, limit)));

/** The limit after "Show more". */
export const nextLimit = (matching: number, limit: number, pageSize = PAGE_SIZE) =>
  shownCount(matching, limit) + moreCount(matching, limit, pageSize);

/** The first `limit` rows. */
export const pageOf = <T>(rows: readonly T[], limit: number): readonly T[] =>
  rows.length <= limit ? rows : rows.slice(0, shownCount(rows.length, limit));

const MINUTE = 60_000;

/** Whether a row drawn for case `a.c` at `a.now` still reads the same at `b.now`:
 * the same case record, the same click handler, and the same minute (the custody
 * clock counts in minutes). The 30 s tick then redraws a row at most once a minute. */
export const sameRowMinute = <C, F>(a: { c: C; now: number; onOpen: F }, b: { c: C; now: number; onOpen: F }) =>
  a.c === b.c && a.onOpen === b.onOpen && Math.floor(a.now / MINUTE) === Math.floor(b.now / MINUTE);
