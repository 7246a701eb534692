// paint serve: the page. Upload a photo, send the options, follow the job's events, show the result.
// Live frames are PNGs the server draws with the brush's own renderer; the page asks for the next one
// only when it has drawn the last, so a slow browser never falls behind.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { config: null, photo: null, style: null, job: null, events: null, loadingFrame: false, shownFrames: 0 };

async function api(path, options = {}) {
  const response = await fetch(path, options);
  let body = null;
  try { body = await response.json(); } catch (_) { /* not JSON: answered below */ }
  if (!response.ok) throw new Error((body && body.error) || `The server answered ${response.status}.`);
  return body;
}

function showMessage(text) {
  const box = $("message");
  box.textContent = text || "";
  box.hidden = !text;
}

// ---- choosing a photo (and a style image) -----------------------------------------------------------
async function upload(file, what) {
  const limit = state.config.limits.upload_bytes;
  if (file.size === 0) throw new Error(`The ${what} file is empty.`);
  if (file.size > limit) {
    throw new Error(`The file is ${(file.size / 1e6).toFixed(1)} MB; the limit is ${(limit / 1e6).toFixed(0)} MB.`);
  }
  return api("/api/uploads", { method: "POST", body: file, headers: { "X-File-Name": encodeURIComponent(file.name) } });
}

async function choosePhoto(file) {
  if (!file) return;
  showMessage("");
  const drop = $("drop");
  drop.classList.add("busy");
  try {
    state.photo = await upload(file, "photo");
    const url = URL.createObjectURL(file);
    $("photo-thumb").src = url;
    $("photo-thumb").hidden = false;
    drop.classList.add("has-image");
    $("drop-hint").querySelector("strong").textContent = `${state.photo.name}: ${state.photo.width} × ${state.photo.height}`;
    showStagePhoto(url, state.photo.width / state.photo.height);
  } catch (err) {
    state.photo = null;
    $("photo-thumb").hidden = true;
    drop.classList.remove("has-image");
    $("drop-hint").querySelector("strong").textContent = "Drop a photo here";
    showMessage(err.message);
  } finally {
    drop.classList.remove("busy");
    $("photo-input").value = "";
    updatePaintButton();
  }
}

async function chooseStyle(file) {
  if (!file) return;
  showMessage("");
  try {
    state.style = await upload(file, "style image");
    $("style-thumb").src = URL.createObjectURL(file);
    $("style-thumb").hidden = false;
    $("style-drop").classList.add("has-image");
    $("style-hint").querySelector("strong").textContent = state.style.name;
    $("style-clear").hidden = false;
  } catch (err) {
    clearStyle();
    showMessage(err.message);
  } finally {
    $("style-input").value = "";
  }
}

function clearStyle() {
  state.style = null;
  $("style-thumb").hidden = true;
  $("style-drop").classList.remove("has-image");
  $("style-hint").querySelector("strong").textContent = "Drop a style image";
  $("style-clear").hidden = true;
}

function makeDropZone(zone, input, choose) {
  input.addEventListener("change", () => choose(input.files[0]));
  zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    choose(event.dataTransfer.files[0]);
  });
  zone.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); input.click(); }
  });
}

function updatePaintButton() {
  const busy = state.job && !finished(state.job);
  $("paint").disabled = !state.photo || Boolean(busy);
  $("paint").textContent = busy ? "Painting…" : "Paint";
}

// ---- the options --------------------------------------------------------------------------------------
function canvasColour() {
  const choice = document.querySelector("input[name=canvas]:checked").value;
  return choice === "custom" ? $("canvas-custom").value : choice;
}

function options() {
  const chosen = {
    brush: document.querySelector("input[name=brush]:checked").value,
    strokes: Number($("strokes").value),
    size: Number($("size").value),
    canvas: canvasColour(),
    quality: $("quality").value,
    renderer: $("renderer").value,
    seed: $("seed").value === "" ? 0 : Number($("seed").value),
    opaque: $("opaque").checked,
  };
  if ($("steps").value !== "") chosen.steps = Number($("steps").value);
  if (state.style) chosen.style_weight = Number($("style-weight").value);
  return chosen;
}

function buildBrushes(config) {
  const box = $("brushes");
  for (const brush of config.brushes) {
    const card = document.createElement("label");
    card.className = "brush";
    card.title = brush.description;
    const radio = Object.assign(document.createElement("input"), { type: "radio", name: "brush", value: brush.name });
    radio.checked = brush.name === config.defaults.brush;
    const sample = Object.assign(document.createElement("img"), { src: `/api/brushes/${brush.name}.png`, alt: "" });
    const name = document.createElement("span");
    name.textContent = { oilpaint: "Oil paint", markerpen: "Marker pen", watercolor: "Watercolour", rectangle: "Tape" }[brush.name] || brush.name;
    card.append(radio, sample, name);
    box.append(card);
  }
}

function linkOutput(input, output, format) {
  const show = () => { output.textContent = format(input.value); };
  input.addEventListener("input", show);
  show();
}

// ---- painting -----------------------------------------------------------------------------------------
function finished(job) { return ["done", "stopped", "failed"].includes(job.state); }

async function startPainting(event) {
  event.preventDefault();
  if (!state.photo) return;
  showMessage("");
  let job;
  try {
    job = await api("/api/jobs", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ photo: state.photo.id, style: state.style ? state.style.id : null, options: options() }),
    });
  } catch (err) {
    showMessage(err.message);
    return;
  }
  follow(job);
}

function follow(job) {
  if (state.events) state.events.close();
  state.job = job;
  state.shownFrames = 0;
  $("result").hidden = true;
  $("stage-painting").hidden = true;
  $("painting-placeholder").hidden = true;
  $("live").hidden = false;
  $("progress").hidden = false;
  $("cancel").disabled = false;
  render(job);
  state.events = new EventSource(`/api/jobs/${job.id}/events`);
  state.events.onmessage = (message) => {
    const update = JSON.parse(message.data);
    if (!state.job || update.id !== state.job.id) return;
    state.job = update;
    render(update);
    if (finished(update)) {
      state.events.close();
      state.events = null;
      loadGallery();
    }
  };
}

function ordinal(n) {
  const suffix = n % 10 === 1 && n % 100 !== 11 ? "st" : n % 10 === 2 && n % 100 !== 12 ? "nd" : n % 10 === 3 && n % 100 !== 13 ? "rd" : "th";
  return `${n}${suffix}`;
}

function render(job) {
  updatePaintButton();
  const bar = $("bar");
  const waiting = job.state === "queued";
  if (!finished(job)) {
    $("live").hidden = waiting;
    $("painting-placeholder").hidden = !waiting;
    $("painting-placeholder").textContent = waiting ? "Waiting for its turn…" : "The painting grows here";
  }
  $("cancel").textContent = waiting ? "Leave the queue" : "Stop and keep it";
  if (waiting) {
    bar.classList.add("waiting");
    $("status").textContent = job.position === 1
      ? "Waiting: next in the queue, after the painting under way"
      : `Waiting: ${ordinal(job.position)} in the queue`;
    return;
  }
  bar.classList.remove("waiting");
  const p = job.progress;
  if (p) {
    const percent = Math.round((100 * p.step) / p.steps);
    $("fill").style.width = `${percent}%`;
    bar.setAttribute("aria-valuenow", String(percent));
    const stage = p.stage === "canvas" ? "Final touches" : `Layer ${p.level} of ${p.levels}`;
    $("status").textContent = `${stage} · ${p.strokes} strokes · ${percent}%`;
  } else if (job.state === "painting") {
    $("status").textContent = "Preparing the canvas…";
  }
  if (job.state === "painting" && job.frames > state.shownFrames) loadFrame(job);
  if (finished(job)) showResult(job);
}

function loadFrame(job) {
  if (state.loadingFrame) return; // the next event asks again; frames never pile up
  state.loadingFrame = true;
  const frames = job.frames;
  const image = new Image();
  image.onload = () => {
    const canvas = $("live");
    if (canvas.width !== image.naturalWidth || canvas.height !== image.naturalHeight) {
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
    }
    canvas.getContext("2d").drawImage(image, 0, 0);
    state.shownFrames = frames;
    state.loadingFrame = false;
    if (state.job && state.job.id === job.id && state.job.state === "painting" && state.job.frames > frames) loadFrame(state.job);
  };
  image.onerror = () => { state.loadingFrame = false; };
  image.src = `/api/jobs/${job.id}/frame.png?n=${frames}`;
}

async function cancelPainting() {
  if (!state.job) return;
  $("cancel").disabled = true;
  $("status").textContent = "Stopping after this step…";
  try {
    await api(`/api/jobs/${state.job.id}/cancel`, { method: "POST" });
  } catch (err) {
    showMessage(err.message);
  }
}

// ---- the result -----------------------------------------------------------------------------------------
function fileUrl(job, name) { return `/api/jobs/${job.id}/files/${name}`; }

function showResult(job) {
  $("progress").hidden = true;
  updatePaintButton();
  if (job.state === "failed") {
    $("live").hidden = true;
    $("painting-placeholder").hidden = false;
    $("painting-placeholder").textContent = "Nothing was painted";
    showMessage(job.error);
    return;
  }
  showStagePhoto(fileUrl(job, "photo.png"), job.photo.width / job.photo.height, true);
  const painting = $("stage-painting");
  painting.src = fileUrl(job, "painting.png");
  painting.hidden = false;
  $("live").hidden = true;
  $("painting-placeholder").hidden = true;
  $("painting-caption").textContent = job.state === "stopped" ? "Painting (stopped early; kept as it was)" : "Painting";
  const m = job.metrics;
  $("stat-psnr").textContent = `${m.psnr.toFixed(1)} dB`;
  $("stat-psnr").title = "PSNR of the painting against the photo: higher is closer";
  $("stat-strokes").textContent = String(m.strokes);
  $("stat-time").textContent = m.seconds < 90 ? `${m.seconds.toFixed(1)} s` : `${(m.seconds / 60).toFixed(1)} min`;
  $("dl-png").href = fileUrl(job, "painting.png");
  $("dl-svg").href = fileUrl(job, "painting.svg");
  $("dl-json").href = fileUrl(job, "strokes.json");
  $("dl-gif").href = fileUrl(job, "process.gif");
  $("dl-gif").hidden = !job.files.includes("process.gif");
  updatePlotLink();
  $("result").hidden = false;
}

function updatePlotLink() {
  if (!state.job) return;
  const query = new URLSearchParams({ format: $("plot-format").value, pens: $("plot-pens").value, paper: $("plot-paper").value });
  $("dl-plot").href = `/api/jobs/${state.job.id}/plot?${query}`;
}

function showStagePhoto(url, aspect, keepIfSame) {
  const photo = $("stage-photo");
  if (!(keepIfSame && photo.dataset.src === url)) {
    photo.src = url;
    photo.dataset.src = url;
  }
  photo.hidden = false;
  $("photo-mat").querySelector(".placeholder").hidden = true;
  for (const mat of [$("photo-mat"), $("painting-mat")]) mat.style.aspectRatio = String(Math.min(Math.max(aspect, 0.5), 2));
}

// ---- the gallery -------------------------------------------------------------------------------------
async function loadGallery() {
  let jobs;
  try { jobs = await api("/api/jobs"); } catch (_) { return; }
  const done = jobs.filter((job) => job.state === "done" || job.state === "stopped").reverse();
  $("gallery-section").hidden = done.length === 0;
  const box = $("gallery");
  box.replaceChildren();
  for (const job of done) {
    const card = document.createElement("button");
    card.type = "button";
    card.className = "card";
    const image = Object.assign(document.createElement("img"), { src: fileUrl(job, "painting.png"), alt: `Painting of ${job.photo.name}`, loading: "lazy" });
    const caption = document.createElement("span");
    const title = document.createElement("strong");
    title.textContent = job.photo.name;
    caption.append(title, document.createElement("br"), `${job.settings.brush}, ${job.metrics.strokes} strokes, ${job.metrics.psnr.toFixed(1)} dB`);
    if (job.state === "stopped") caption.append(Object.assign(document.createElement("em"), { className: "badge", textContent: "stopped" }));
    card.append(image, caption);
    card.addEventListener("click", () => {
      if (state.job && !finished(state.job)) return; // keep watching the painting under way
      state.job = job;
      $("result").hidden = true;
      showResult(job);
      $("stage").scrollIntoView({ behavior: "smooth" });
    });
    box.append(card);
  }
}

// ---- start ------------------------------------------------------------------------------------------
async function start() {
  try {
    state.config = await api("/api/config");
  } catch (err) {
    showMessage(`The page could not reach the paint server: ${err.message}`);
    return;
  }
  const c = state.config;
  $("limit-mb").textContent = String(Math.round(c.limits.upload_bytes / 1e6));
  $("strokes").max = String(Math.min(3000, c.limits.strokes));
  $("size").max = String(c.limits.size);
  buildBrushes(c);
  linkOutput($("strokes"), $("strokes-out"), (v) => v);
  linkOutput($("size"), $("size-out"), (v) => `${v} px`);
  linkOutput($("style-weight"), $("style-weight-out"), (v) => v);
  makeDropZone($("drop"), $("photo-input"), choosePhoto);
  makeDropZone($("style-drop"), $("style-input"), chooseStyle);
  $("style-clear").addEventListener("click", clearStyle);
  $("canvas-custom").addEventListener("input", () => { $("canvas-custom-radio").checked = true; });
  $("controls").addEventListener("submit", startPainting);
  $("cancel").addEventListener("click", cancelPainting);
  for (const id of ["plot-format", "plot-pens", "plot-paper"]) $(id).addEventListener("input", updatePlotLink);
  loadGallery();
}

start();
