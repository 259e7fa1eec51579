/** Every table, for drizzle-kit and for the typed client. One file per capability holds its own tables. */
export * from "../accounts/schema";
export * from "../orgs/schema";
export * from "../projects/schema";
export * from "../errors/schema";
export * from "../alerts/schema";
export * from "../uptime/schema";
export * from "../crons/schema";
export * from "../performance/schema";
export * from "../logs/schema";
export * from "../releases/schema";
export * from "../retention/schema";
