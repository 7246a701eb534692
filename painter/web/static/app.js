// paint serve: the page. Upload a photo, send the options, follow the job's events, show the result.
// Live frames are PNGs the server draws with the brush's own renderer; the page asks for the next one
// only when it has drawn the last, so a slow browser never falls behind.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { config: null, photo: null, style: null, job: null, events: null, loadingFrame: false, shownFrames: 0 };
const FIRST_PALETTE = ["#1b1b1b", "#c03020", "#2f5d7c", "#f4f0e6"]; // ink, red, blue and paper: a plotter's usual pens
const ANIMATION_NAMES = { gif: "GIF", mp4: "MP4 video", both: "GIF and MP4 video", none: "None" };

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
  if ($("render-size").value !== "") chosen.render_size = Number($("render-size").value);
  if ($("animation").value) chosen.animation = $("animation").value;
  const colours = document.querySelector("input[name=colours]:checked").value;
  if (colours === "pens") chosen.pens = Number($("pens").value);
  if (colours === "palette") chosen.palette = paletteColours().join(",");
  if (state.style) chosen.style_weight = Number($("style-weight").value);
  return chosen;
}

// ---- your own colours: one colour input each ------------------------------------------------------------
function paletteColours() {
  return [...$("palette-colours").querySelectorAll("input[type=color]")].map((input) => input.value);
}

function setPalette(colours) {
  const box = $("palette-colours");
  box.replaceChildren();
  for (const colour of colours) addPaletteColour(colour);
}

function addPaletteColour(colour) {
  const box = $("palette-colours");
  if (box.children.length >= state.config.max_colours) return;
  const input = Object.assign(document.createElement("input"), { type: "color", value: colour });
  input.setAttribute("aria-label", `Colour ${box.children.length + 1}`);
  input.addEventListener("input", () => { $("colours-palette").checked = true; });
  box.append(input);
  $("palette-remove").disabled = box.children.length <= 1;
}

function removePaletteColour() {
  const box = $("palette-colours");
  if (box.children.length > 1) box.lastElementChild.remove();
  $("palette-remove").disabled = box.children.length <= 1;
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
  showCompare(false);
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
  // A job no worker has taken yet is not waiting when a worker is free: it starts in a moment.
  const waiting = job.state === "queued" && job.ahead !== null && job.ahead >= job.workers;
  if (!finished(job)) {
    $("live").hidden = waiting;
    $("painting-placeholder").hidden = !waiting;
    $("painting-placeholder").textContent = waiting ? "Waiting for its turn…" : "The painting grows here";
  }
  $("cancel").textContent = waiting ? "Leave the queue" : "Stop and keep it";
  $("cancel").hidden = job.state === "saving";
  $("eta").textContent = "";
  if (job.state === "queued" && !waiting) {
    bar.classList.remove("waiting");
    $("status").textContent = "Starting…";
    return;
  }
  if (waiting) {
    bar.classList.add("waiting");
    $("status").textContent = job.position === 1
      ? "Waiting: next in the queue, after the painting under way"
      : `Waiting: ${ordinal(job.position)} in the queue`;
    return;
  }
  bar.classList.remove("waiting");
  bar.classList.toggle("saving", job.state === "saving");
  const p = job.progress;
  if (job.state === "saving") {
    $("fill").style.width = "100%";
    bar.setAttribute("aria-valuenow", "100");
    $("status").textContent = `Saving the files (${savedKinds(job.settings)})…`;
  } else if (p) {
    const percent = Math.round((100 * p.step) / p.steps);
    $("fill").style.width = `${percent}%`;
    bar.setAttribute("aria-valuenow", String(percent));
    const stage = p.kind === "canvas" ? "Final touches" : `Layer ${p.level} of ${p.levels}`;
    $("status").textContent = `${stage} · ${p.strokes} strokes · ${percent}%`;
    $("eta").textContent = timeLeft(p.eta_s);
  } else if (job.state === "painting") {
    $("status").textContent = "Preparing the canvas…";
  }
  if (job.state === "painting" && job.frames > state.shownFrames) loadFrame(job);
  if (finished(job)) showResult(job);
}

// "about 40 s left": from the server's estimate, which weights each stage's steps by what they cost.
function timeLeft(seconds) {
  if (seconds === null || seconds === undefined) return "";
  if (seconds < 5) return "a few seconds left";
  if (seconds < 90) return `about ${Math.round(seconds / 5) * 5} s left`;
  return `about ${Math.round(seconds / 60)} min left`;
}

function savedKinds(settings) {
  const kinds = ["PNG", "SVG"];
  if (settings.animation === "gif" || settings.animation === "both") kinds.push("GIF");
  if (settings.animation === "mp4" || settings.animation === "both") kinds.push("MP4");
  if (settings.animation !== "none") kinds.push("animated SVG");
  return kinds.join(", ");
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
// PSNR in dB; the server sends null for an infinite one (the painting equals its photo), as JSON has no Infinity.
function decibels(psnr) {
  return psnr === null ? "\u221e dB (identical)" : `${psnr.toFixed(1)} dB`;
}

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
  $("stat-likeness").textContent = m.likeness;
  $("stat-psnr").textContent = decibels(m.psnr);
  $("stat-psnr").title = "PSNR of the painting against the photo, in decibels: higher is closer (the default painting scores about 27)";
  $("stat-palette-box").hidden = !m.palette;
  $("stat-palette").replaceChildren(...(m.palette || []).map((colour) => {
    const swatch = Object.assign(document.createElement("span"), { className: "used", title: colour });
    swatch.style.background = colour;
    return swatch;
  }));
  $("stat-strokes").textContent = String(m.strokes);
  $("stat-time").textContent = m.seconds < 90 ? `${m.seconds.toFixed(1)} s` : `${(m.seconds / 60).toFixed(1)} min`;
  $("dl-png").href = fileUrl(job, "painting.png");
  $("dl-svg").href = fileUrl(job, "painting.svg");
  $("dl-json").href = fileUrl(job, "strokes.json");
  $("dl-gif").href = fileUrl(job, "process.gif");
  $("dl-gif").hidden = !job.files.includes("process.gif");
  $("dl-mp4").href = fileUrl(job, "process.mp4");
  $("dl-mp4").hidden = !job.files.includes("process.mp4");
  $("dl-animated").href = fileUrl(job, "painting-animated.svg");
  $("dl-animated").hidden = !job.files.includes("painting-animated.svg");
  $("compare-photo").src = fileUrl(job, "photo.png");
  $("compare-painting").src = fileUrl(job, "painting.png");
  $("compare-view").style.aspectRatio = String(job.photo.width / job.photo.height);
  updatePlotLink();
  $("result").hidden = false;
}

// ---- before and after: the painting over the photo, cut where the slider says --------------------------------
function showCompare(shown) {
  $("compare").hidden = !shown;
  document.querySelector(".pair").hidden = shown;
  $("compare-toggle").textContent = shown ? "Side by side" : "Compare before and after";
  if (shown) updateCompare();
}

function updateCompare() {
  const cut = Number($("compare-slider").value); // percent from the left: photo before it, painting after
  $("compare-painting").style.clipPath = `inset(0 0 0 ${cut}%)`;
  $("compare-line").style.left = `${cut}%`;
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
    const m = job.metrics;
    caption.append(title, document.createElement("br"), `${job.settings.brush}, ${m.strokes} strokes, ${m.likeness.toLowerCase()} likeness`);
    card.title = `${decibels(m.psnr)}. Open it again, with its settings`;
    if (job.state === "stopped") caption.append(Object.assign(document.createElement("em"), { className: "badge", textContent: "stopped" }));
    card.append(image, caption);
    card.addEventListener("click", () => {
      if (state.job && !finished(state.job)) return; // keep watching the painting under way
      state.job = job;
      $("result").hidden = true;
      showResult(job);
      reopen(job);
      $("stage").scrollIntoView({ behavior: "smooth" });
    });
    box.append(card);
  }
}

// Put a finished painting's photo, style image and settings back into the form: Paint paints it again.
function reopen(job) {
  const s = job.settings;
  state.photo = job.photo;
  $("photo-thumb").src = fileUrl(job, "photo.png");
  $("photo-thumb").hidden = false;
  $("drop").classList.add("has-image");
  $("drop-hint").querySelector("strong").textContent = `${job.photo.name}: ${job.photo.width} × ${job.photo.height}`;
  if (job.style) {
    state.style = job.style;
    $("style-thumb").src = fileUrl(job, "style.png");
    $("style-thumb").hidden = false;
    $("style-drop").classList.add("has-image");
    $("style-hint").querySelector("strong").textContent = job.style.name;
    $("style-clear").hidden = false;
    setSlider("style-weight", s.style_weight);
  } else {
    clearStyle();
  }
  const brush = document.querySelector(`input[name=brush][value="${s.brush}"]`);
  if (brush) brush.checked = true;
  setSlider("strokes", s.strokes);
  setSlider("size", s.size);
  const preset = [...document.querySelectorAll("input[name=canvas]")].find((radio) => radio.value === s.canvas);
  if (preset) {
    preset.checked = true;
  } else {
    $("canvas-custom-radio").checked = true;
    $("canvas-custom").value = s.canvas;
  }
  $("quality").value = s.quality;
  $("renderer").value = s.renderer;
  $("steps").value = s.steps === null ? "" : String(s.steps);
  $("seed").value = String(s.seed);
  $("opaque").checked = s.opaque;
  $("render-size").value = s.render_size === null ? "" : String(s.render_size);
  $("animation").value = s.animation;
  if (s.pens !== null) {
    $("colours-pens").checked = true;
    $("pens").value = String(s.pens);
  } else if (s.palette !== null) {
    $("colours-palette").checked = true;
    setPalette(s.palette.split(",").map((colour) => colour.trim()));
  } else {
    document.querySelector("input[name=colours][value=any]").checked = true;
  }
  showMessage("");
  updatePaintButton();
}

function setSlider(id, value) {
  $(id).value = String(value);
  $(id).dispatchEvent(new Event("input"));
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
  $("strokes").max = String(c.limits.strokes);
  $("size").max = String(c.limits.size);
  $("render-size").max = String(c.limits.render_size);
  $("pens").max = String(c.max_colours);
  for (const kind of c.animations) {
    $("animation").append(Object.assign(document.createElement("option"), { value: kind, textContent: ANIMATION_NAMES[kind] || kind }));
  }
  $("animation").value = c.defaults.animation;
  setPalette(FIRST_PALETTE);
  $("palette-add").addEventListener("click", () => { addPaletteColour("#808080"); $("colours-palette").checked = true; });
  $("palette-remove").addEventListener("click", removePaletteColour);
  $("pens").addEventListener("input", () => { $("colours-pens").checked = true; });
  $("compare-toggle").addEventListener("click", () => showCompare($("compare").hidden));
  $("compare-slider").addEventListener("input", updateCompare);
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
