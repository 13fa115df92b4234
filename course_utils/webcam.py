"""Your own face drives a portrait, live, in JupyterLab and on the workshop page (Voilà): a webcam widget.

    from course_utils import webcam
    puppet = webcam.WebcamPuppet(image)     # a portrait (H, W, 3) uint8
    puppet                                  # shows it: Start / Stop, the camera image, the talking portrait

How it works (an anywidget: a small piece of JavaScript beside a Python object, linked by Jupyter's own widget
messages — no server of its own): the camera is off until **Start** is pressed, and the browser asks permission.
While it runs, a red "camera on" light shows; each camera frame is drawn small (320 x 240), sent as JPEG to
*this notebook's own kernel* and dropped; the kernel tracks the face, moves the portrait (course_utils.live)
and sends the portrait frame back. One frame is in flight at a time, so a slow computer shows fewer frames,
never older ones. Frames per second and the latency (a frame sent -> its portrait shown) are on screen.
**Stop** turns the camera off. **Record 5 s** saves the *portrait's* next 5 s as an MP4 in the course's output
folder (a new file each time). **Re-centre** takes your face of the next second as the neutral one (the portrait's
own expression): look at the camera, mouth closed. Nothing from the camera is kept.

Browsers give web pages the camera only over https:// or on localhost: on Binder that holds, on a laptop
`make lab` and `make workshop` open localhost. No camera, or permission refused: one sentence, and the recorded
clips and uploads of the rest of the page still work.
"""

from __future__ import annotations

import time

import anywidget
import traitlets

from .errors import CourseError

_ESM = r"""
function render({ model, el }) {
  el.classList.add("course-cam");
  el.innerHTML = `
    <div class="cc-bar">
      <button class="cc-start">▶ Start camera</button>
      <button class="cc-stop" disabled>■ Stop</button>
      <button class="cc-record" disabled>● Record 5 s</button>
      <button class="cc-recenter" disabled title="look straight at the camera, mouth closed, then press">Re-centre</button>
      <select class="cc-animator"></select>
      <span class="cc-light" title="the camera is off">camera off</span>
    </div>
    <div class="cc-panes">
      <figure><video class="cc-video" muted playsinline></video><figcaption>Your camera (never stored)</figcaption></figure>
      <figure><img class="cc-portrait" alt="the portrait, driven by your face"/>
        <figcaption class="cc-caption">The portrait</figcaption></figure>
    </div>
    <div class="cc-stats">0 frames</div>
    <div class="cc-status"></div>`;
  const $ = (s) => el.querySelector(s);
  const video = $(".cc-video"), img = $(".cc-portrait"), stats = $(".cc-stats"), statusEl = $(".cc-status");
  const light = $(".cc-light"), start = $(".cc-start"), stop = $(".cc-stop"), rec = $(".cc-record");
  const menu = $(".cc-animator"), recenter = $(".cc-recenter");
  const canvas = document.createElement("canvas");
  canvas.width = 320; canvas.height = 240;
  let stream = null, inflight = null, nextId = 0, shown = 0, times = [], lastUrl = null;
  el.dataset.frames = "0";

  const say = (text) => { statusEl.textContent = text || ""; };
  const fillMenu = () => {
    menu.innerHTML = "";
    for (const [key, label] of model.get("animators")) {
      const o = document.createElement("option"); o.value = key; o.textContent = label; menu.appendChild(o);
    }
    menu.value = model.get("animator");
  };
  fillMenu();
  model.on("change:animators", fillMenu);
  model.on("change:animator", () => { menu.value = model.get("animator"); });
  model.on("change:status", () => say(model.get("status")));
  say(model.get("status"));
  menu.addEventListener("change", () => { model.set("animator", menu.value); model.save_changes(); });

  const setLight = (on) => {
    light.textContent = on ? "● camera on" : "camera off";
    light.classList.toggle("on", on);
    light.title = on ? "the camera is on: frames go to your own kernel only" : "the camera is off";
    start.disabled = on; stop.disabled = !on; rec.disabled = !on; recenter.disabled = !on;
  };

  const send = () => {
    if (!stream || inflight || video.readyState < 2) { if (stream) requestAnimationFrame(send); return; }
    const ctx = canvas.getContext("2d");
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const id = nextId++;
    inflight = { id, t: performance.now(), blob: null };
    canvas.toBlob(async (blob) => {
      if (!stream || !blob) { inflight = null; return; }
      inflight.blob = blob;
      const buf = await blob.arrayBuffer();
      model.send({ type: "frame", id }, undefined, [buf]);
    }, "image/jpeg", 0.8);
  };

  model.on("msg:custom", (msg, buffers) => {
    if (msg.type === "portrait") {
      const sent = inflight;
      inflight = null;
      if (!sent || sent.id !== msg.id) { if (stream) requestAnimationFrame(send); return; }
      const now = performance.now();
      if (buffers && buffers.length) {
        const blob = new Blob([buffers[0]], { type: "image/jpeg" });
        if (lastUrl) URL.revokeObjectURL(lastUrl);
        lastUrl = URL.createObjectURL(blob);
        img.src = lastUrl;
        shown += 1;
        el.dataset.frames = String(shown);
        times.push({ t: now, latency: now - sent.t });
        times = times.filter((x) => now - x.t < 2000);
        const fps = times.length > 1 ? (times.length - 1) / ((times[times.length - 1].t - times[0].t) / 1000) : 0;
        const lat = times.map((x) => x.latency).sort((a, b) => a - b)[Math.floor(times.length / 2)];
        stats.textContent = `${shown} frames · ${fps.toFixed(1)} frames/s · latency ${lat.toFixed(0)} ms` +
          (msg.stages ? ` · kernel ms: ${msg.stages}` : "");
        // for whoever listens on this page (the course's browser test): the camera frame and the portrait made from it
        el.dispatchEvent(new CustomEvent("course-frame", { detail: { camera: sent.blob, portrait: blob } }));
      }
      say(msg.status || "Live: the portrait follows your face. Stop turns the camera off.");
      if (stream) requestAnimationFrame(send);
    } else if (msg.type === "saved") {
      say(msg.text);
    }
  });

  start.addEventListener("click", async () => {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say("⚠ This page cannot use a camera: browsers allow it only on https:// pages or on localhost. " +
          "The recorded clips above still work.");
      return;
    }
    say("Asking the browser for the camera …");
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 }, audio: false });
    } catch (err) {
      stream = null;
      const why = { NotAllowedError: "the browser (or you) did not allow the camera",
                    NotFoundError: "no camera was found on this computer",
                    NotReadableError: "the camera is busy in another program" }[err.name] || `the camera failed (${err.name})`;
      say(`⚠ No live video: ${why}. The recorded clips above still work.`);
      model.send({ type: "camera", on: false, error: err.name });
      return;
    }
    video.srcObject = stream;
    await video.play().catch(() => {});
    setLight(true);
    model.send({ type: "camera", on: true });
    say("Camera on. Face the camera; the portrait follows.");
    requestAnimationFrame(send);
  });

  const halt = () => {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null; inflight = null; video.srcObject = null;
    setLight(false);
  };
  stop.addEventListener("click", () => { halt(); model.send({ type: "camera", on: false }); say("Camera off."); });
  rec.addEventListener("click", () => { model.send({ type: "record", seconds: 5 }); });
  recenter.addEventListener("click", () => { model.send({ type: "recenter" }); });
  return () => { halt(); if (lastUrl) URL.revokeObjectURL(lastUrl); };
}
export default { render };
"""

_CSS = """
.course-cam { font-family: sans-serif; max-width: 600px; }
.course-cam .cc-bar { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin-bottom: 6px; }
.course-cam button, .course-cam select { font-size: 14px; padding: 4px 10px; }
.course-cam .cc-light { font-size: 13px; color: #666; margin-left: auto; }
.course-cam .cc-light.on { color: #c00; font-weight: bold; }
.course-cam .cc-panes { display: flex; gap: 10px; }
.course-cam figure { margin: 0; text-align: center; }
.course-cam video { width: 256px; height: 192px; background: #222; object-fit: cover; transform: scaleX(-1); }
.course-cam img.cc-portrait { width: 256px; height: 256px; background: #eee; }
.course-cam figcaption { font-size: 12px; color: #555; }
.course-cam .cc-stats { font-size: 13px; color: #333; margin-top: 4px; }
.course-cam .cc-status { font-size: 14px; margin-top: 4px; }
"""


def available_animators() -> list[tuple[str, str]]:
    """[(key, label)] of the animators this machine can use: the learned one only when its checkpoint is shipped."""
    from .checkpoints import verify_checkpoint
    from .live import ANIMATORS

    out = [("warp", ANIMATORS["warp"])]
    try:
        verify_checkpoint("animator")
        out.insert(0, ("animator", ANIMATORS["animator"]))
    except CourseError:
        pass
    return out


class WebcamPuppet(anywidget.AnyWidget):
    """A portrait driven live by the webcam (module docstring). image: the portrait (H, W, 3) uint8 (anything
    images.load_image reads); animator: 'animator' (the learned one; the default when shipped) or 'warp'."""

    _esm = _ESM
    _css = _CSS
    animator = traitlets.Unicode("warp").tag(sync=True)
    animators = traitlets.List().tag(sync=True)
    status = traitlets.Unicode("Press Start: your browser will ask to use the camera. Nothing is stored.").tag(sync=True)
    camera_on = traitlets.Bool(False).tag(sync=True)

    def __init__(self, image, points=None, animator: str | None = None, folder=None, **kwargs):
        from .live import LiveSession

        choices = available_animators()
        super().__init__(animators=[list(c) for c in choices], **kwargs)
        self.folder = folder
        self.session = LiveSession(image, points=points, animator="warp")
        self.frames = 0
        self.kernel_ms: list[float] = []
        self._switching = False
        self._note = ("", 0.0)  # a message that outlives one frame (a recording saved), until its time
        self.animator = animator or choices[0][0]
        self._use(self.animator)
        self.observe(self._on_animator, names="animator")
        self.on_msg(self._on_msg)

    def set_portrait(self, image, points=None) -> None:
        """Drive another portrait (the same animator)."""
        from .live import LiveSession

        self.session = LiveSession(image, points=points, animator="warp")
        self._use(self.animator)

    def _use(self, kind: str) -> None:
        try:
            self.session.use(kind)
        except CourseError as err:
            self.status = f"⚠ {err} The warp drives the portrait instead."
            self._switching = True
            self.animator = "warp"
            self._switching = False

    def _on_animator(self, change) -> None:
        if not self._switching:
            self._use(change["new"])

    def _on_msg(self, _widget, content: dict, buffers) -> None:
        kind = content.get("type")
        if kind == "frame" and buffers:
            t = time.perf_counter()
            try:
                out = self.session.process(bytes(buffers[0]))
            except Exception as err:  # noqa: BLE001 - one bad frame must not stop the live view; say it in one sentence
                self.send({"type": "portrait", "id": content.get("id"), "status": f"⚠ This frame failed: {err}"})
                return
            ms = 1000 * (time.perf_counter() - t)
            self.kernel_ms.append(ms)
            del self.kernel_ms[:-100]
            if out.saved is not None:
                self._note = (f"Saved the portrait's recording as {out.saved}", time.perf_counter() + 8)
            elif self.session.recording:
                self._note = ("Recording the portrait …", time.perf_counter() + 1)
            note = self._note[0] if time.perf_counter() < self._note[1] else ""
            status = out.status or note
            stages = " · ".join(f"{k} {v:.0f}" for k, v in out.ms.items())
            self.send({"type": "portrait", "id": content.get("id"), "status": status, "ms": round(ms), "stages": stages},
                      buffers=[out.jpeg] if out.jpeg else [])
            if out.jpeg:
                self.frames += 1
        elif kind == "record":
            self.session.record(float(content.get("seconds", 5)), folder=self.folder)
            self._note = ("Recording the portrait …", time.perf_counter() + 1)
        elif kind == "recenter":
            self.session.recenter()
            self._note = ("Re-centred: your face of the next second is the neutral one.", time.perf_counter() + 3)
        elif kind == "camera":
            self.camera_on = bool(content.get("on"))
            if not self.camera_on:
                self.session.tracker.reset()
                self.session.recenter()

