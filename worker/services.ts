import { AuthService } from "./accounts/auth.service";
import { ChannelService } from "./alerts/channels.service";
import { AlertLogService } from "./alerts/log.service";
import { RuleService } from "./alerts/rules.service";
import { SessionStore } from "./accounts/sessions";
import { TokenService } from "./accounts/tokens.service";
import type { Db } from "./db/client";
import { IssueService } from "./errors/service";
import { InviteService } from "./orgs/invites.service";
import { MemberService } from "./orgs/members.service";
import { OrgService } from "./orgs/service";
import { KeyService } from "./projects/keys.service";
import { CronService } from "./crons/service";
import { DeadLetterService } from "./dead-letters/service";
import { PerformanceService } from "./performance/service";
import { LogService } from "./logs/service";
import { TimelineService } from "./timeline/service";
import { ProjectService } from "./projects/service";
import { StatusPageService } from "./status/service";
import { MonitorService } from "./uptime/service";

/** Every service, built once per request (or per queue batch / cron tick) around one database handle. */
export function createServices(db: Db, env: Env, origin: string) {
  const orgs = new OrgService(db, env);
  const projects = new ProjectService(db, orgs, origin, env);
  return {
    auth: new AuthService(db, env, orgs),
    sessions: new SessionStore(db),
    tokens: new TokenService(db),
    orgs,
    members: new MemberService(db, orgs),
    invites: new InviteService(db, orgs),
    projects,
    keys: new KeyService(db, projects, origin),
    issues: new IssueService(db, env, projects),
    channels: new ChannelService(db, env, orgs, origin),
    rules: new RuleService(db, projects),
    alertLog: new AlertLogService(db, projects),
    monitors: new MonitorService(db, env, projects),
    crons: new CronService(db, env, projects, origin),
    performance: new PerformanceService(db, env, projects),
    logs: new LogService(db, env, projects),
    timeline: new TimelineService(db, env, projects),
    statusPages: new StatusPageService(db),
    deadLetters: new DeadLetterService(env, projects),
  };
}

export type Services = ReturnType<typeof createServices>;
