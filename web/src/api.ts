// The server's JSON, typed as the routes of `nshed serve` write it, and the calls that
// fetch it. Every call answers the parsed JSON or throws an ApiError with the server's
// message (`{"error": ...}`).

export interface JsonPosition { offset: number; line: number; column: number }
export interface JsonLabel { message: string | null; primary: boolean; start: JsonPosition; end: JsonPosition }
export interface Diagnostic {
  file: string; code: string; severity: "error" | "warning" | "advice";
  message: string; help: string | null; labels: JsonLabel[];
}

export interface ModelInfo {
  name: string;
  levels: { name: string; nodes: string[] }[];
  classes: string[];
  samples: { name: string; label: string; inputs: string[] }[];
  phases: { name: string; steps: number; batch: number }[];
  schedule_steps: number;
  file_seed: number;
  untrainable: string | null;
  lambda_curves: boolean;
}

export interface LevelInformation { level: string; i_xt: number; i_ty: number }
export interface Point { step: number; accuracy: number | null; loss: number | null; info: LevelInformation[] }

export interface Progress {
  seq: number; generation: number; step: number; seed: number;
  mode: "idle" | "steps" | "schedule" | "play";
  schedule_left: number; phase: string | null; points: Point[];
}

export interface Snapshot {
  file: string; text: string; saved: boolean; words: string[];
  diagnostics: Diagnostic[]; model: ModelInfo | null; stale: boolean;
  progress: Progress | null;
}

export interface Edited { diagnostics: Diagnostic[]; compiles: boolean; generation: number }

export interface Drawing {
  model: string; step: number; input: string | null;
  levels: { name: string; nodes: { start: number; end: number } }[];
  nodes: { name: string; ln_lambda: number | null; firing: boolean; children: number[] }[];
  classes: { name: string; reached: boolean }[];
  edges: [number, number][];
  ln_eta: (number | null)[];
}

export interface ClassValue { class: string; logit: number | null; ln_logit: number | null; p: number }
export interface Scores {
  query: "scores";
  input: { sample: string | null; pattern: string[]; label: string | null };
  classes: ClassValue[];
  predicted: string | null;
}
export interface View { drawing: Drawing; scores: Scores | null }

export interface Lambdas { steps: number[]; series: { node: string; ln_lambda: (number | null)[] }[] }

export interface LeMatrix {
  model: string; step: number; samples: string[]; labels: string[];
  matrix: (number | null)[][];
}

export interface Position { line: number; character: number }
export interface Hover { markdown: string; from: Position; to: Position }
export interface Completion { label: string; kind: string; detail: string }

export class ApiError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

async function answer<T>(response: Response): Promise<T> {
  const body = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw new ApiError(response.status, body.error ?? response.statusText);
  return body as T;
}

export async function get<T>(path: string): Promise<T> {
  return answer<T>(await fetch(path, { cache: "no-store" }));
}

export async function post<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return answer<T>(response);
}

/// `?input=...` for the routes that take the chosen input.
export function inputQuery(input: string | null): string {
  return input ? `?input=${encodeURIComponent(input)}` : "";
}
