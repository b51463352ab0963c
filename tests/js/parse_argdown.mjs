// Reads Argdown on stdin, runs the reference parser (@argdown/core: parse + build the model) and
// prints one JSON line: {"errors": [...], "statements": n, "relations": n, "titles": [...]}.
// Used by tests/test_exports.py to check Warrant's Argdown export.
import core from "@argdown/core";

const { ArgdownApplication, ParserPlugin, ModelPlugin, IEquivalenceClass } = core;

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = Buffer.concat(chunks).toString("utf8");

const app = new ArgdownApplication();
app.addPlugin(new ParserPlugin(), "parse-input");
app.addPlugin(new ModelPlugin(), "build-model");

const describe = (error) => error.message ?? String(error);
let response = {};
const errors = [];
try {
  response = app.run({ process: ["parse-input", "build-model"], input, logLevel: "error", throwExceptions: false });
} catch (error) {
  errors.push(`exception: ${describe(error)}`);
}
for (const error of response.lexerErrors ?? []) errors.push(`lexer: ${describe(error)} at line ${error.line}`);
for (const error of response.parserErrors ?? []) {
  errors.push(`parser: ${describe(error)} at line ${error.token?.startLine}`);
}
for (const error of response.exceptions ?? []) errors.push(`exception: ${describe(error)}`);

const statements = Object.values(response.statements ?? {});
const relations = response.relations ?? [];
console.log(
  JSON.stringify({
    errors,
    statements: statements.length,
    relations: relations.length,
    titles: statements.map((s) => s.title),
    texts: Object.fromEntries(statements.map((s) => [s.title, IEquivalenceClass.getCanonicalMemberText(s) ?? null])),
    relationList: relations.map((r) => [r.from?.title, r.to?.title, r.relationType]),
  }),
);
