import type { Db } from "./db/client";
import type { Services } from "./services";
import type { Viewer } from "./accounts/viewer";

/** The one typed environment of the app: bindings from `wrangler types`, per-request variables set by middleware. */
export interface HonoEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    db: Db;
    services: Services;
    /** The signed-in user, when the request carries a valid session cookie or API token. */
    viewer: Viewer | undefined;
  };
}
