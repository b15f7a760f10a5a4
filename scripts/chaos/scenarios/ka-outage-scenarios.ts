import { runPipelineScenario } from '../pipeline-scenario.js';
import type { Scenario } from '../scenario.js';
import { sleep } from '../timing.js';

/** The XML-RPC call that makes a key; its answer is the one worth losing. */
const createsKey = (request: Buffer): boolean => request.includes('partner10.createKey');

export const kaRefuseScenario: Scenario = {
  name: 'ka-refuse',
  summary:
    'the KA refuses connections for the outage (60 s full, shorter in --short), starting a quarter into the load',
  run: (context) =>
    runPipelineScenario(context, 'ka-refuse', async ({ context: { preset }, ka }) => {
      await sleep(preset.loadMs / 4);
      await ka.proxy.setMode({ kind: 'refuse' });
      await sleep(preset.outageMs);
      await ka.proxy.setMode({ kind: 'pass' });
      return [`KA refused connections for ${preset.outageMs} ms`];
    }),
};

export const kaHangScenario: Scenario = {
  name: 'ka-hang',
  summary: 'the KA accepts connections and never answers for the outage, starting a quarter into the load',
  run: (context) =>
    runPipelineScenario(context, 'ka-hang', async ({ context: { preset }, ka }) => {
      await sleep(preset.loadMs / 4);
      await ka.proxy.setMode({ kind: 'hang' });
      await sleep(preset.outageMs);
      await ka.proxy.setMode({ kind: 'pass' });
      return [`KA hung for ${preset.outageMs} ms`];
    }),
};

export const kaDropThenOutageScenario: Scenario = {
  name: 'ka-drop-then-outage',
  summary:
    'every createKey answer dropped after the KA made the key, for the whole load, then the KA refuses for the outage',
  run: (context) =>
    runPipelineScenario(context, 'ka-drop-then-outage', async ({ context: { preset }, ka, load }) => {
      await ka.proxy.setMode({ kind: 'drop', when: createsKey });
      await load;
      await ka.proxy.setMode({ kind: 'refuse' });
      await sleep(preset.outageMs);
      await ka.proxy.setMode({ kind: 'pass' });
      return [`createKey answers dropped during the load, then KA refused for ${preset.outageMs} ms`];
    }),
};
