// `npm run docs:api`: writes the OpenAPI document of the management API to docs/openapi.json and renders
// the API reference docs/api.md from it. A Worker test fails when either is out of date.
import { writeFileSync } from "node:fs";
import { managementApi, openApiConfig } from "../worker/app";
import { renderReference, type OpenApiDoc } from "./api-reference";

const doc = managementApi().getOpenAPI31Document(openApiConfig("https://vigil.example.com")) as unknown as OpenApiDoc;
writeFileSync("docs/openapi.json", `${JSON.stringify(doc, null, 2)}\n`);
writeFileSync("docs/api.md", renderReference(doc));
console.log(`docs/openapi.json and docs/api.md written (${Object.keys(doc.paths).length} paths)`);
