import { expect, test } from 'vitest';
import { safeLoadPipeline } from 'temporal-artifacts/dsl';

function report(source: string): string {
  const result = safeLoadPipeline('pipeline.yaml', source);
  return result.ok ? 'ok' : result.rendered;
}

const header = 'version: 1\nname: demo\n';

test('deps are globs used as written, so an expression in them is refused', () => {
  expect(report(`${header}params:\n  x: { type: string }\nsteps:\n  a:\n    run: [node, a.mjs]\n    deps: ["\${{ params.x }}.mjs"]\n`)).toMatchInlineSnapshot(`
    "pipeline.yaml:8:13: error: steps.a.deps[0] is used as written, so an expression there would stay literal text; write the value itself [not-evaluated]
       8 |     deps: ["\${{ params.x }}.mjs"]
         |             ^^^^^^^^^^^^^^
    1 problem in pipeline.yaml"
  `);
});

test('cache is a boolean', () => {
  expect(report(`${header}steps:\n  a:\n    run: [node, a.mjs]\n    cache: maybe\n`)).toMatchInlineSnapshot(`
    "pipeline.yaml:6:12: error: steps.a.cache must be boolean, not string "maybe" [schema]
       6 |     cache: maybe
         |            ^^^^^
    1 problem in pipeline.yaml"
  `);
});

test('on takes a schedule, an artifact and a concurrency; a misspelled key gets "did you mean"', () => {
  expect(report(`${header}on:\n  schedule: "0 3 * * *"\n  artifact: { name: dataset, alias: prod }\n  concurrency: latest\nsteps:\n  a:\n    uses: ["\${{ trigger.ref }}"]\n    run: [node, a.mjs]\n`)).toBe('ok');
  expect(report(`${header}on:\n  artifacts: { name: dataset }\n  concurrency: newest\nsteps:\n  a:\n    run: [node, a.mjs]\n`)).toMatchInlineSnapshot(`
    "pipeline.yaml:4:3: error: unknown key "artifacts" in on (did you mean "artifact"?) [unknown-key]
       4 |   artifacts: { name: dataset }
         |   ^^^^^^^^^
    pipeline.yaml:5:16: error: on.concurrency must be one of "all", "latest", not "newest" [schema]
       5 |   concurrency: newest
         |                ^^^^^^
    2 problems in pipeline.yaml"
  `);
});

test('a trigger has only a ref', () => {
  expect(report(`${header}on:\n  artifact: { name: dataset }\nsteps:\n  a:\n    run: [node, a.mjs, "\${{ trigger.version }}"]\n`)).toMatchInlineSnapshot(`
    "pipeline.yaml:7:25: error: trigger has no field "version"; use trigger.ref (the version that started a triggered run) [unknown-name]
       7 |     run: [node, a.mjs, "\${{ trigger.version }}"]
         |                         ^^^^^^^^^^^^^^^^^^^^^
    1 problem in pipeline.yaml"
  `);
});

test('a dynamic fan-out reads its items from a step it needs, which makes a version; itemsFrom and count are exclusive', () => {
  const steps = 'steps:\n  list:\n    run: [node, list.mjs]\n  label:\n    fanOut: { itemsFrom: { step: lst, path: items.json }, count: 2 }\n    run: [node, label.mjs]\n  other:\n    fanOut: { itemsFrom: { step: list, path: items.json } }\n    run: [node, label.mjs]\n';
  expect(report(`${header}${steps}`)).toMatchInlineSnapshot(`
    "pipeline.yaml:7:13: error: fanOut of step "label" needs exactly one of "count", "items" and "itemsFrom" [fan-out]
       7 |     fanOut: { itemsFrom: { step: lst, path: items.json }, count: 2 }
         |             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
    pipeline.yaml:7:34: error: fanOut.itemsFrom of step "label" names "lst", which is not a step (did you mean "list"?) [unknown-step]
       7 |     fanOut: { itemsFrom: { step: lst, path: items.json }, count: 2 }
         |                                  ^^^
    pipeline.yaml:10:34: error: step "other" fans out over a file of step "list" but does not need it; add "list" to its needs [step-not-needed]
      10 |     fanOut: { itemsFrom: { step: list, path: items.json } }
         |                                  ^^^^
    3 problems in pipeline.yaml"
  `);
});
