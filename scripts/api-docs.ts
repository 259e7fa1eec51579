// `npm run docs:api`: writes the OpenAPI document of the management API to docs/openapi.json and renders
// the API reference docs/api.md and the dashboard's API types from it. A Worker test fails when the document is
// out of date; the dashboard's type check fails when its types drift from it.
import { writeFileSync } from "node:fs";
import { managementApi, openApiConfig } from "../worker/app";
import { renderReference, type OpenApiDoc } from "./api-reference";
import { renderTypes } from "./api-types";

const doc = managementApi().getOpenAPI31Document(openApiConfig("https://vigil.example.com")) as unknown as OpenApiDoc;
writeFileSync("docs/openapi.json", `${JSON.stringify(doc, null, 2)}\n`);
writeFileSync("docs/api.md", renderReference(doc));
writeFileSync("dashboard/src/lib/api/openapi.gen.ts", renderTypes(doc));
console.log(`docs/openapi.json, docs/api.md and dashboard/src/lib/api/openapi.gen.ts written (${Object.keys(doc.paths).length} paths)`);
