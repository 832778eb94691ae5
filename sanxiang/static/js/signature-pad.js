// A drawn signature on a <canvas> (pointer events: finger, pen or mouse), sent as a PNG.
// No library: the stroke is a polyline of the pointer's positions, drawn at the device's pixel
// ratio so it stays sharp on a tablet. The server checks the PNG is real and not blank.

const canvas = document.getElementById("signature-pad");
const errorBox = document.getElementById("signature-error");
const ctx = canvas.getContext("2d");
let drawing = false;
let strokes = 0;

function fit() {
  const ratio = window.devicePixelRatio || 1;
  const box = canvas.getBoundingClientRect();
  canvas.width = Math.round(box.width * ratio);
  canvas.height = Math.round(box.height * ratio);
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.lineWidth = 3;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  ctx.strokeStyle = "#000";
  strokes = 0;
}

function point(event) {
  const box = canvas.getBoundingClientRect();
  return [event.clientX - box.left, event.clientY - box.top];
}

canvas.addEventListener("pointerdown", (event) => {
  event.preventDefault();
  canvas.setPointerCapture(event.pointerId);
  drawing = true;
  errorBox.textContent = "";
  const [x, y] = point(event);
  ctx.beginPath();
  ctx.moveTo(x, y);
});

canvas.addEventListener("pointermove", (event) => {
  if (!drawing) return;
  const [x, y] = point(event);
  ctx.lineTo(x, y);
  ctx.stroke();
  strokes += 1;
});

function stop() {
  drawing = false;
}
canvas.addEventListener("pointerup", stop);
canvas.addEventListener("pointercancel", stop);

document.getElementById("signature-clear").addEventListener("click", () => {
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  errorBox.textContent = "";
  strokes = 0;
});

document.getElementById("signature-submit").addEventListener("click", async (event) => {
  const button = event.currentTarget;
  if (strokes === 0) {
    errorBox.textContent = "请先在签名区内签名。";
    return;
  }
  button.disabled = true;
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  const body = new FormData();
  body.append("signature", blob, "signature.png");
  const token = document.querySelector("meta[name=csrf-token]").content;
  try {
    const response = await fetch(canvas.dataset.post, {
      method: "POST",
      body,
      headers: { "X-CSRFToken": token },
      credentials: "same-origin",
    });
    const answer = await response.json();
    if (!response.ok) {
      errorBox.textContent = answer.error ? answer.error.message : "签名未保存，请重试。";
      button.disabled = false;
      return;
    }
    window.location.assign(answer.next);
  } catch {
    errorBox.textContent = "网络错误，签名未保存，请重试。";
    button.disabled = false;
  }
});

window.addEventListener("resize", fit);
fit();
// The buttons are disabled in the page until this module has run: a tap before it would
// otherwise do nothing (or send a pad whose strokes were never counted).
document.getElementById("signature-clear").disabled = false;
document.getElementById("signature-submit").disabled = false;
canvas.dataset.ready = "1";
