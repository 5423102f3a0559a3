// The training controls: steps, schedule, play/pause, reset and seed; and the display of
// where training is (step, phase, accuracy), updated from every progress the server sends.

import { post, Progress } from "./api";
import { byTestId, fmt } from "./dom";
import { app, say } from "./state";
import { showCurves, refreshView, refreshLambdas, refreshLe } from "./panels";

async function command(path: string, body: unknown) {
  try {
    const p = await post<Progress>(path, body);
    showProgress(p);
  } catch (e) {
    say((e as Error).message, true);
  }
}

function train(body: unknown) {
  say("");
  void command("/api/train", body);
}

export function showProgress(p: Progress) {
  if (p.seq <= app.seq) return;
  app.seq = p.seq;
  app.progress = p;
  byTestId("step").textContent = String(p.step);
  const running = p.mode !== "idle";
  document.body.classList.toggle("training", running);
  const play = byTestId<HTMLButtonElement>("play");
  play.textContent = p.mode === "play" ? "❚❚ Pause" : "▶ Play";
  play.title = p.mode === "play" ? "Stop training" : "Train continuously until paused";
  byTestId("step").dataset.mode = p.mode;
  const last = p.points[p.points.length - 1];
  const accuracy = byTestId("accuracy");
  accuracy.textContent = last?.accuracy == null ? "–" : `${fmt(last.accuracy * 100)} %`;
  accuracy.dataset.value = last?.accuracy == null ? "" : JSON.stringify(last.accuracy);
  accuracy.dataset.step = String(last?.step ?? 0);
  const loss = byTestId("loss");
  loss.textContent = fmt(last?.loss);
  loss.dataset.value = last?.loss == null ? "" : JSON.stringify(last.loss);
  const phase = document.getElementById("phase");
  if (phase) phase.textContent = p.phase ? `phase ${p.phase}` : app.model?.phases.length ? "past the schedule" : "";
  const left = document.getElementById("schedule-left");
  if (left) {
    left.textContent = app.model?.phases.length
      ? `${p.schedule_left} of the schedule's ${app.model.schedule_steps} steps left · seed ${p.seed}`
      : `no train block: steps use batch 1 and the file's rules · seed ${p.seed}`;
  }
  showCurves(p);
  refreshView();
  refreshLambdas();
  if (!running) refreshLe();
}

export function wireTraining() {
  const stepsInput = byTestId<HTMLInputElement>("steps-input");
  byTestId("train").addEventListener("click", () => {
    const n = Number(stepsInput.value);
    if (!Number.isInteger(n) || n < 1) {
      say("write a whole number of steps (1 or more) beside Train", true);
      return;
    }
    train({ how: "steps", steps: n });
  });
  for (const n of [1, 10, 100]) byTestId(`step-${n}`).addEventListener("click", () => train({ how: "steps", steps: n }));
  byTestId("train-schedule").addEventListener("click", () => train({ how: "schedule" }));
  byTestId("play").addEventListener("click", () => {
    if (app.progress?.mode === "play") void command("/api/pause", {});
    else train({ how: "play" });
  });
  byTestId("reset").addEventListener("click", () => {
    const raw = byTestId<HTMLInputElement>("seed").value.trim();
    const seed = raw === "" ? null : Number(raw);
    if (seed !== null && (!Number.isInteger(seed) || seed < 0)) {
      say("the seed is a whole number, 0 or more (or empty for the file's seed)", true);
      return;
    }
    say("");
    void command("/api/reset", { seed });
  });
  byTestId("le-refresh").addEventListener("click", () => refreshLe());
}

/// Controls that need a model (and data to train on) are disabled without one.
export function enableTraining() {
  const trainable = !!app.model && !app.model.untrainable;
  for (const id of ["train", "step-1", "step-10", "step-100", "train-schedule", "play", "reset"]) {
    const b = byTestId<HTMLButtonElement>(id);
    b.disabled = !trainable && id !== "reset";
  }
  byTestId<HTMLButtonElement>("train-schedule").disabled = !trainable || !app.model?.phases.length;
  byTestId<HTMLButtonElement>("reset").disabled = !app.model;
  if (app.model?.untrainable) say(`this model cannot be trained: ${app.model.untrainable}`);
  const input = byTestId<HTMLInputElement>("steps-input");
  if (app.model && !input.dataset.touched) input.value = String(app.model.schedule_steps || 100);
  input.addEventListener("input", () => { input.dataset.touched = "1"; }, { once: true });
}
