// /ping/* goes to the Worker (see ../../forward.ts).
export { onRequest } from "../../forward";
