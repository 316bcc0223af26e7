/**
 * The local engine this checkout runs, if any: started by `npm start`/`up` or `engine start` in the
 * default data folder, on whatever port it was given. Commands for `--env local` talk to it instead of
 * the port written in environments/local.yaml (which may be another checkout's engine on a shared host).
 */
import { defaultDataDir } from "./local-engine.js";
import { engineUrls } from "./settings.js";
import { isEngineProcess, readState } from "./state.js";

export interface RunningLocalEngine {
  restUrl: string;
  pid: number;
  port: number;
  db: string;
}

/** Read from the engine's state file; a stale file (the process is gone or is another) counts as none. */
export function runningLocalEngine(root: string): RunningLocalEngine | undefined {
  const dataDir = defaultDataDir(root);
  const state = readState(dataDir);
  if (!state || !isEngineProcess(state.pid, dataDir)) return undefined;
  return {
    restUrl: engineUrls(state.host, state.port).restUrl,
    pid: state.pid,
    port: state.port,
    db: state.db,
  };
}
