import { readFileSync } from 'node:fs';

/** One case of flytekit-goldens.json: the Python expression(s) flytekit evaluated and the hex of its protobuf bytes. */
export interface FlytekitGolden {
  /** The Python type (absent for msgpack cases). */
  python?: string;
  /** The Python value (for literals and msgpack). */
  value?: string;
  hex: string;
}

/** flytekit-goldens.json, written by `tools/flytekit-check/write_goldens.py` (see tools/flytekit-check/README.md). */
export interface FlytekitGoldens {
  flytekit: string;
  /** `TypeEngine.to_literal_type(T).to_flyte_idl().SerializeToString()` by case name. */
  literalTypes: Record<string, FlytekitGolden>;
  /** `TypeEngine.to_literal(ctx, value, T, lt).to_flyte_idl().SerializeToString()` by case name. */
  literals: Record<string, FlytekitGolden>;
  /** `msgpack.dumps(value)` by case name. */
  msgpack: Record<string, FlytekitGolden>;
}

/** The goldens flytekit computed, as committed. */
export const FLYTEKIT_GOLDENS: FlytekitGoldens = JSON.parse(readFileSync(new URL('./flytekit-goldens.json', import.meta.url), 'utf8')) as FlytekitGoldens;

/** The hex flytekit produced for a case; throws when the case is not in the file (regenerate it after adding one). */
export function flytekitHex(section: 'literalTypes' | 'literals' | 'msgpack', name: string): string {
  const golden = FLYTEKIT_GOLDENS[section][name];
  if (!golden)
    throw new Error(`flytekit-goldens.json has no ${section} case ${JSON.stringify(name)}: add it to tools/flytekit-check/write_goldens.py and run it`);
  return golden.hex;
}
