import { describe, expect, test } from 'vitest';
import { resolveParams, safeLoadPipeline, type Pipeline } from 'temporal-artifacts/dsl';

/** Validates a pipeline given as text and returns what a user would see printed. */
function report(source: string): string {
  const result = safeLoadPipeline('pipeline.yaml', source);
  return result.ok ? 'ok' : result.rendered;
}

const header = 'version: 1\nname: demo\n';

describe('malformed pipelines are reported like a compiler: all problems, file:line:col, a caret, and a hint', () => {
  test('YAML syntax errors point at the broken line', () => {
    expect(report(`${header}steps:\n  train:\n    run: [node, train.mjs\n`)).toMatchInlineSnapshot(`
      "pipeline.yaml:6:1: error: Flow sequence in block collection must be sufficiently indented and end with a ] [yaml-syntax]
         6 | 
           | ^
      1 problem in pipeline.yaml"
    `);
  });

  test('a misspelled key gets "did you mean"', () => {
    expect(report(`${header}steps:\n  train:\n    run: [node, a.mjs]\n  test:\n    need: [train]\n    run: [node, b.mjs]\n`)).toMatchInlineSnapshot(`
      "pipeline.yaml:7:5: error: unknown key "need" in steps.test (did you mean "needs"?) [unknown-key]
         7 |     need: [train]
           |     ^^^^
      1 problem in pipeline.yaml"
    `);
  });

  test('a misspelled top-level key and a missing required key are both reported at once', () => {
    expect(report('version: 1\nnmae: demo\nsteps:\n  a:\n    run: [echo]\n')).toMatchInlineSnapshot(`
      "pipeline.yaml:1:1: error: the pipeline needs "name" [missing-key]
         1 | version: 1
           | ^^^^^^^^^^
      pipeline.yaml:2:1: error: unknown key "nmae" at the top level (did you mean "name"?) [unknown-key]
         2 | nmae: demo
           | ^^^^
      2 problems in pipeline.yaml"
    `);
  });

  test('needs naming a step that does not exist suggests the closest one', () => {
    expect(report(`${header}steps:\n  train:\n    run: [node, a.mjs]\n  evaluate:\n    needs: [trian]\n    run: [node, b.mjs]\n`)).toMatchInlineSnapshot(`
      "pipeline.yaml:7:13: error: step "evaluate" needs "trian", which is not a step (did you mean "train"?) [unknown-step]
         7 |     needs: [trian]
           |             ^^^^^
      1 problem in pipeline.yaml"
    `);
  });

  test('a cycle names the steps that form it', () => {
    expect(report(`${header}steps:\n  a:\n    needs: [b]\n    run: [echo, a]\n  b:\n    needs: [a]\n    run: [echo, b]\n`)).toMatchInlineSnapshot(`
      "pipeline.yaml:8:13: error: steps a -> b -> a form a cycle; remove one of these needs [cycle]
         8 |     needs: [a]
           |             ^
      1 problem in pipeline.yaml"
    `);
  });

  test('an undefined param in an expression is pointed at inside the string', () => {
    expect(report(`${header}params:\n  shards: { type: integer, default: 2 }\nsteps:\n  a:\n    run: [echo, "--n=\${{ params.shard }}"]\n`)).toMatchInlineSnapshot(`
      "pipeline.yaml:7:22: error: param "shard" is not declared under params (did you mean "shards"?) [undefined-param]
         7 |     run: [echo, "--n=\${{ params.shard }}"]
           |                      ^^^^^^^^^^^^^^^^^^
      1 problem in pipeline.yaml"
    `);
  });

  test('a malformed expression says what is wrong and where', () => {
    expect(report(`${header}steps:\n  a:\n    run: [echo, "\${{ params.x == }}"]\n  b:\n    run: [echo, "\${{ params.x "]\n`)).toMatchInlineSnapshot(`
      "pipeline.yaml:5:34: error: malformed expression in "\${{ params.x == }}": expression ends too early [bad-expression]
         5 |     run: [echo, "\${{ params.x == }}"]
           |                                  ^
      pipeline.yaml:7:18: error: malformed expression in "\${{ params.x ": unclosed "\${{": add "}}" [bad-expression]
         7 |     run: [echo, "\${{ params.x "]
           |                  ^
      2 problems in pipeline.yaml"
    `);
  });

  test('a bad artifact ref in uses and in from is refused', () => {
    expect(report(`${header}steps:\n  a:\n    uses: ["model:"]\n    run: [echo]\n  b:\n    produces: { artifact: ds, mode: incremental, from: "bad name:latest" }\n`)).toMatchInlineSnapshot(`
      "pipeline.yaml:5:12: error: Invalid artifact ref "model:": the part after ":" is neither a version (v3) nor an alias. Write name, name:v3, name:latest, name:<alias> or name@<digest>. [bad-ref]
         5 |     uses: ["model:"]
           |            ^^^^^^^^
      pipeline.yaml:8:56: error: Invalid artifact ref "bad name:latest": the name part is not a valid artifact name. Write name, name:v3, name:latest, name:<alias> or name@<digest>. [bad-ref]
         8 |     produces: { artifact: ds, mode: incremental, from: "bad name:latest" }
           |                                                        ^^^^^^^^^^^^^^^^^
      2 problems in pipeline.yaml"
    `);
  });

  test('a collaborative produces without a fanOut is refused: one run would write the whole version', () => {
    expect(report(`${header}steps:\n  a:\n    run: [echo]\n    produces: { artifact: preds, type: predictions, mode: collaborative }\n`)).toMatchInlineSnapshot(`
      "pipeline.yaml:6:59: error: step "a" produces in collaborative mode without a fanOut, so one run would write the whole version: add fanOut (count or items) to merge many shards into one version, or use mode: simple [mode]
         6 |     produces: { artifact: preds, type: predictions, mode: collaborative }
           |                                                           ^^^^^^^^^^^^^
      1 problem in pipeline.yaml"
    `);
  });

  test('two steps producing one collaborative artifact are refused', () => {
    expect(report(`${header}steps:\n  a:\n    run: [echo]\n    fanOut: { count: 2 }\n    produces: { artifact: preds, type: predictions }\n  b:\n    run: [echo]\n    fanOut: { count: 2 }\n    produces: { artifact: preds, type: predictions }\n`)).toMatchInlineSnapshot(`
      "pipeline.yaml:11:27: error: steps "a" and "b" both produce collaborative artifact "preds"; one version needs one producer: merge them into one fan-out step, or produce two artifacts [duplicate-producer]
        11 |     produces: { artifact: preds, type: predictions }
           |                           ^^^^^
      1 problem in pipeline.yaml"
    `);
  });

  test('a param default of the wrong type is refused', () => {
    expect(report(`${header}params:\n  shards: { type: integer, default: "four" }\n  ratio: { type: number, default: 0.5 }\nsteps:\n  a:\n    run: [echo]\n`)).toMatchInlineSnapshot(`
      "pipeline.yaml:4:37: error: params.shards.default must be an integer, not "four" [param-type]
         4 |   shards: { type: integer, default: "four" }
           |                                     ^^^^^^
      1 problem in pipeline.yaml"
    `);
  });

  test('reading a step output without needing the step, and shard fields outside a fan-out, are refused', () => {
    expect(report(`${header}steps:\n  train:\n    run: [echo]\n  evaluate:\n    run: [echo, "\${{ steps.train.version }}", "\${{ shard.index }}"]\n`)).toMatchInlineSnapshot(`
      "pipeline.yaml:7:18: error: step "evaluate" reads steps.train but does not need it; add "train" to its needs [step-not-needed]
         7 |     run: [echo, "\${{ steps.train.version }}", "\${{ shard.index }}"]
           |                  ^^^^^^^^^^^^^^^^^^^^^^^^^
      pipeline.yaml:7:48: error: "shard.index" is only defined in a step with fanOut [shard-outside-fan-out]
         7 |     run: [echo, "\${{ steps.train.version }}", "\${{ shard.index }}"]
           |                                                ^^^^^^^^^^^^^^^^^
      2 problems in pipeline.yaml"
    `);
  });

  test('wrong value types, enums and durations are explained', () => {
    expect(report(`${header}steps:\n  a:\n    run: { cmd: echo }\n    timeout: 30 minutes\n    produces: { artifact: m, type: model, mode: simpel }\n`)).toMatchInlineSnapshot(`
      "pipeline.yaml:5:10: error: steps.a.run must be an argv list such as [node, train.mjs] or a shell command string, not a mapping [schema]
         5 |     run: { cmd: echo }
           |          ^^^^^^^^^^^^^
      pipeline.yaml:6:14: error: steps.a.timeout "30 minutes" does not match ^[0-9]+(ms|s|m|h|d)$ (write a duration such as 30s, 5m or 2h) [schema]
         6 |     timeout: 30 minutes
           |              ^^^^^^^^^^
      pipeline.yaml:7:49: error: steps.a.produces.mode must be one of "simple", "collaborative", "incremental", not "simpel" [schema]
         7 |     produces: { artifact: m, type: model, mode: simpel }
           |                                                 ^^^^^^
      3 problems in pipeline.yaml"
    `);
  });

  test('a step with both run and activity, and one with neither, are refused', () => {
    expect(report(`${header}steps:\n  a:\n    run: [echo]\n    activity: { name: train }\n  b:\n    needs: [a]\n`)).toMatchInlineSnapshot(`
      "pipeline.yaml:5:5: error: step "a" has both "run" and "activity"; give one [both-commands]
         5 |     run: [echo]
           |     ^^^^^^^^^^^
      pipeline.yaml:8:5: error: step "b" has nothing to do: give it "run" (a command) or "activity" [no-command]
         8 |     needs: [a]
           |     ^^^^^^^^^^
      2 problems in pipeline.yaml"
    `);
  });

  test('incremental produces needs "from", and incremental keys are refused in simple mode', () => {
    expect(report(`${header}steps:\n  a:\n    run: [echo]\n    produces: { artifact: ds, type: dataset, add: ["new/**"] }\n  b:\n    produces: { artifact: ds, mode: incremental, remove: [x.png] }\n`)).toMatchInlineSnapshot(`
      "pipeline.yaml:6:51: error: "add" is for mode: incremental; step "a" produces in simple mode [mode]
         6 |     produces: { artifact: ds, type: dataset, add: ["new/**"] }
           |                                                   ^^^^^^^^^^
      pipeline.yaml:8:15: error: incremental produces of step "b" needs "from" (such as ds:latest) [missing-key]
         8 |     produces: { artifact: ds, mode: incremental, remove: [x.png] }
           |               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
      2 problems in pipeline.yaml"
    `);
  });

  test('an unsupported format version is refused', () => {
    expect(report(`version: 2\nname: demo\nsteps:\n  a:\n    run: [echo]\n`)).toMatchInlineSnapshot(`
      "pipeline.yaml:1:10: error: version must be 1, not 2 [schema]
         1 | version: 2
           |          ^
      1 problem in pipeline.yaml"
    `);
  });

  test('a reserved or malformed alias is refused', () => {
    expect(report(`${header}steps:\n  a:\n    run: [echo]\n    produces: { artifact: m, type: model, aliases: [latest, v2] }\n`)).toMatchInlineSnapshot(`
      "pipeline.yaml:6:53: error: The alias "latest" is managed automatically: it always points at the newest version. [bad-alias]
         6 |     produces: { artifact: m, type: model, aliases: [latest, v2] }
           |                                                     ^^^^^^
      pipeline.yaml:6:61: error: The alias "v2" looks like a version number; pick a name that does not, such as "best" or "prod". [bad-alias]
         6 |     produces: { artifact: m, type: model, aliases: [latest, v2] }
           |                                                             ^^
      2 problems in pipeline.yaml"
    `);
  });

  test('a fan-out needs exactly one of count and items, and an argv list', () => {
    expect(report(`${header}steps:\n  a:\n    run: [echo]\n    fanOut: { count: 2, items: [x, y] }\n  b:\n    run: echo hi\n    fanOut: { count: 2 }\n`)).toMatchInlineSnapshot(`
      "pipeline.yaml:6:13: error: fanOut of step "a" needs exactly one of "count", "items" and "itemsFrom" [fan-out]
         6 |     fanOut: { count: 2, items: [x, y] }
           |             ^^^^^^^^^^^^^^^^^^^^^^^^^^^
      pipeline.yaml:8:10: error: step "b" fans out, so its run must be an argv list such as [node, eval.mjs, --shard, "\${{ shard.index }}"] [fan-out]
         8 |     run: echo hi
           |          ^^^^^^^
      2 problems in pipeline.yaml"
    `);
  });

  test('an expression where a shell string cannot keep it one word is refused, with how to write it instead', () => {
    expect(report(`${header}params:\n  d: { type: string }\nsteps:\n  a:\n    run: "rm -rf '\${{ params.d }}' \`ls \${{ params.d }}\`"\n  b:\n    run: echo "\${{ params.d }}" \${{ params.d }}\n`)).toMatchInlineSnapshot(`
      "pipeline.yaml:7:19: error: \${{ params.d }} in the shell command of step "a" cannot be passed as one word: it stands inside single quotes, where the shell expands nothing; close the quotes around it ('...'\${{ expr }}'...') (or use an argv list: run: [cmd, "\${{ params.d }}"]) [shell-quoting]
         7 |     run: "rm -rf '\${{ params.d }}' \`ls \${{ params.d }}\`"
           |                   ^^^^^^^^^^^^^^
      pipeline.yaml:7:40: error: \${{ params.d }} in the shell command of step "a" cannot be passed as one word: it stands inside backticks; write $( ... ) instead (or use an argv list: run: [cmd, "\${{ params.d }}"]) [shell-quoting]
         7 |     run: "rm -rf '\${{ params.d }}' \`ls \${{ params.d }}\`"
           |                                        ^^^^^^^^^^^^^^
      2 problems in pipeline.yaml"
    `);
  });

  test("the library's own activities, expressions where nothing is evaluated, and the pipeline's metadata key are refused", () => {
    expect(report(`${header}params:\n  a: { type: string, default: x }\nsteps:\n  wipe:\n    activity: { name: prepareStep }\n  odd:\n    activity: { name: "\${{ params.a }}" }\n    produces: { artifact: m, type: model, metadata: { temporal-artifacts: mine } }\n`)).toMatchInlineSnapshot(`
      "pipeline.yaml:7:23: error: step "wipe" calls activity "prepareStep", which is not yours to call: it belongs to temporal-artifacts itself (or to every JavaScript object); an activity: step may call only activities you register on your worker yourself (Worker.create({ activities: { ... } }) beside the ArtifactsPlugin), under names of your own [library-activity]
         7 |     activity: { name: prepareStep }
           |                       ^^^^^^^^^^^
      pipeline.yaml:9:24: error: steps.odd.activity.name is used as written, so an expression there would stay literal text; write the value itself [not-evaluated]
         9 |     activity: { name: "\${{ params.a }}" }
           |                        ^^^^^^^^^^^^^^
      pipeline.yaml:10:75: error: metadata key "temporal-artifacts" is where the pipeline records the pipeline, step and run of a version; rename this key [reserved-key]
        10 |     produces: { artifact: m, type: model, metadata: { temporal-artifacts: mine } }
           |                                                                           ^^^^
      3 problems in pipeline.yaml"
    `);
  });

  test('a shard value in a fan-out stands alone in run or env, never inside a larger expression or in produces', () => {
    expect(report(`${header}steps:\n  eval:\n    fanOut: { count: 2 }\n    run: [echo, "\${{ shard.index == 0 }}", "--i=\${{ shard.index }}"]\n    produces: { artifact: p, type: predictions, description: "shard \${{ shard.index }}" }\n`)).toMatchInlineSnapshot(`
      "pipeline.yaml:6:18: error: "shard.index == 0" differs from shard to shard, so in step "eval" it may only stand alone in run or env, as in "--shard=\${{ shard.index }}" [shard-value]
         6 |     run: [echo, "\${{ shard.index == 0 }}", "--i=\${{ shard.index }}"]
           |                  ^^^^^^^^^^^^^^^^^^^^^^
      pipeline.yaml:7:69: error: "shard.index" differs from shard to shard, so in step "eval" it may only stand alone in run or env, as in "--shard=\${{ shard.index }}" [shard-value]
         7 |     produces: { artifact: p, type: predictions, description: "shard \${{ shard.index }}" }
           |                                                                     ^^^^^^^^^^^^^^^^^
      2 problems in pipeline.yaml"
    `);
  });

  test('a key given twice in one mapping is refused, with where it was first given', () => {
    expect(report(`${header}steps:\n  a:\n    run: [echo]\n  b:\n    run: [echo]\n    run: [true]\n  a:\n    run: [echo]\n`)).toMatchInlineSnapshot(`
      "pipeline.yaml:8:5: error: duplicate key "run" in steps.b: it was first given on line 7; give each key once [duplicate-key]
         8 |     run: [true]
           |     ^^^
      pipeline.yaml:9:3: error: duplicate key "a" in steps: it was first given on line 4; give each key once [duplicate-key]
         9 |   a:
           |   ^
      2 problems in pipeline.yaml"
    `);
  });

  test('a pipeline file over 1 MiB is refused before it is parsed: a run carries it whole in its workflow input', () => {
    expect(report(`${header}steps:\n  a:\n    run: [echo]\n    env: { X: "${'x'.repeat(1024 * 1024)}" }\n`)).toMatchInlineSnapshot(`
      "pipeline.yaml:1:1: error: the file is 1048645 bytes; a pipeline file may be at most 1048576 bytes (1 MiB), because a run carries it whole in its workflow's input. Keep data in files or artifacts the steps read, not in the pipeline [too-large]
      1 problem in pipeline.yaml"
    `);
  });

  test('thousands of steps in one long chain of needs validate (no recursion, nothing quadratic)', () => {
    const steps = Array.from({ length: 15_000 }, (_, i) => (i === 0 ? '  s0: {run: [e]}' : `  s${i}: {needs: [s${i - 1}], run: [e, "\${{ steps.s${i - 1}.ref }}"]}`));
    expect(report(`${header}steps:\n${steps.join('\n')}\n`)).toBe('ok');
  });

  test('a valid pipeline has no problems', () => {
    expect(report(`${header}params:\n  n: { type: integer, default: 2 }\nsteps:\n  train:\n    run: [echo, "\${{ params.n }}"]\n    produces: { artifact: m, type: model }\n  eval:\n    needs: [train]\n    fanOut: { count: "\${{ params.n }}" }\n    run: [echo, "\${{ steps.train.version }}", "\${{ shard.index }}"]\n    produces: { artifact: p, type: predictions }\n`)).toBe('ok');
  });
});

describe('params given on the command line', () => {
  const pipeline: Pipeline = { version: 1, name: 'p', params: { shards: { type: 'integer', default: 2 }, label: { type: 'string' }, fast: { type: 'boolean', default: false } }, steps: { a: { run: ['echo'] } } };

  test('are converted to the declared type, over the defaults', () => {
    expect(resolveParams(pipeline, { shards: '8', label: 'x', fast: 'true' }, 'p.yaml')).toEqual({ shards: 8, label: 'x', fast: true });
  });

  test('of the wrong type, unknown, or missing are all reported at once', () => {
    expect(() => resolveParams(pipeline, { shards: 'four', shard: '1' }, 'p.yaml')).toThrowErrorMatchingInlineSnapshot(`
      [UsageError: --param shards=four: expected an integer
      --param shard: p.yaml declares no param "shard" (did you mean "shards"?)
      param "label" has no default: pass --param label=<string>]
    `);
  });
});
