import { sql, type Column, type SQL } from "drizzle-orm";

/**
 * `column IN (…ids)` as one bound JSON value, so a long list does not run into D1's limit of 100 bound
 * parameters per statement (drizzle's `inArray` binds one parameter per id).
 */
export function inList(column: Column, ids: readonly (number | string)[]): SQL {
  return sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;
}
