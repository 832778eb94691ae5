// 移动执法 (field capture): take a photo, video or sound recording and send it in resumable
// chunks: tus 1.0 with the checksum extension (sanxiang/records/tus.py, docs/records.md).
// The whole file's SHA-256 is computed first and declared when the upload begins; each chunk
// goes with its own SHA-256; after a dropped connection the page asks the server where it
// stands (HEAD) and goes on from there. The record exists only once the server has verified
// the whole file. Plain JS, no inline script (strict CSP); SHA-256 from @noble/hashes (npm,
// served from node_modules) because crypto.subtle cannot hash a file piece by piece and is
// missing on plain-HTTP intranet addresses.
//
// A file taken is kept in the browser (IndexedDB, "sx-capture") from the moment it is chosen
// until the server has verified the whole file's SHA-256 and made the record: a reload, a
// killed tab or a phone that ran out of battery loses nothing. When the page opens again it
// lists what is still pending and resumes an upload that had begun from where the server
// stands; one never sent waits for the officer's 继续上传.
import { sha256 } from "../vendor/noble-hashes/sha2.js";

const form = document.getElementById("capture-form");
const TUS = "1.0.0";
const KIND_LABEL = { photo: "照片", video: "录像", audio: "录音" };
const READ_STEP = 4 * 1024 * 1024;
const RETRY_SECONDS = [1, 2, 4, 8, 15];

function $(id) { return document.getElementById(id); }

function csrf() { return document.querySelector("meta[name=csrf-token]").content; }

function humanSize(n) {
  if (n < 1024) return n + " 字节";
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + " KB";
  return (n / 1024 / 1024).toFixed(1) + " MB";
}

function pad(n) { return String(n).padStart(2, "0"); }

function shortTime(d) {
  return `${d.getMonth() + 1}月${d.getDate()}日 ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function fullTime(d) {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function hex(bytes) { return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""); }

function base64Bytes(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function base64Text(text) { return base64Bytes(new TextEncoder().encode(text)); }

async function chunkDigest(bytes) {
  if (window.crypto && crypto.subtle) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }
  return sha256(bytes);
}

async function wholeDigest(file, progress) {
  const hasher = sha256.create();
  for (let at = 0; at < file.size; at += READ_STEP) {
    const piece = new Uint8Array(await file.slice(at, at + READ_STEP).arrayBuffer());
    hasher.update(piece);
    progress(Math.min(at + READ_STEP, file.size) / file.size);
  }
  return hex(hasher.digest());
}

class Fatal extends Error {}
class Dropped extends Error {}

function kindOf(file, declared) {
  if (declared) return declared;
  if (file.type.startsWith("image/")) return "photo";
  if (file.type.startsWith("video/")) return "video";
  if (file.type.startsWith("audio/")) return "audio";
  return "";
}

// --- the files kept in this browser until the server has them ---------------------------
const DB_NAME = "sx-capture";
const STORE = "pending";
let dbOpening = null;

function db() {
  if (!dbOpening) {
    dbOpening = new Promise((resolve, reject) => {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "id" });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  return dbOpening;
}

async function stored(mode, work) {
  const handle = await db();
  return new Promise((resolve, reject) => {
    const t = handle.transaction(STORE, mode);
    const req = work(t.objectStore(STORE));
    t.oncomplete = () => resolve(req ? req.result : undefined);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}

const keepLocally = (item) => stored("readwrite", (s) => s.put(item));
const dropLocally = (id) => stored("readwrite", (s) => s.delete(id)).catch(() => {});
const keptLocally = () => stored("readonly", (s) => s.getAll());

function newId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

if (form) {
  const firstChunk = Number(form.dataset.chunkBytes);
  const chunkCeiling = Number(form.dataset.chunkCeiling);
  const chunkFloor = Math.min(firstChunk, Math.max(64 * 1024, Math.floor(firstChunk / 4)));
  const maxBytes = Number(form.dataset.maxBytes);
  const uploadsUrl = form.dataset.uploadsUrl;
  const bar = $("capture-progress");
  const status = $("capture-status");
  const send = $("capture-send");
  const geo = $("capture-geo");
  const geoStatus = $("capture-geo-status");
  let current = null;
  let position = null;
  let running = null;

  function show(text, kind) {
    status.textContent = text;
    status.className = "small mb-2 text-" + kind;
  }

  function progress(done, total) {
    const percent = total ? Math.floor((done / total) * 100) : 0;
    bar.style.width = percent + "%";
    bar.textContent = percent + "%";
    bar.parentElement.setAttribute("aria-valuenow", String(percent));
  }

  // Position: only when the officer turns it on (and the browser's permission is given).
  function locate() {
    if (!navigator.geolocation) {
      geo.checked = false;
      geoStatus.textContent = "此浏览器不支持定位，不记录位置。";
      return;
    }
    geoStatus.textContent = "正在定位……";
    navigator.geolocation.getCurrentPosition(
      (fix) => {
        if (!geo.checked) return;
        position = {
          latitude: fix.coords.latitude,
          longitude: fix.coords.longitude,
          accuracy: fix.coords.accuracy,
        };
        geoStatus.textContent = `已定位：纬度 ${position.latitude.toFixed(6)}，经度 ${position.longitude.toFixed(6)}（精度约 ${Math.round(position.accuracy)} 米）。`;
      },
      (err) => {
        position = null;
        if (err.code === err.PERMISSION_DENIED) {
          geo.checked = false;
          localStorage.removeItem("sx-capture-geo");
          geoStatus.textContent = "您未允许定位，不记录位置。";
        } else {
          geoStatus.textContent = err.code === err.TIMEOUT ? "定位超时，本次不记录位置。" : "暂时无法获得位置，本次不记录位置。";
        }
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  }

  geo.addEventListener("change", () => {
    if (geo.checked) {
      localStorage.setItem("sx-capture-geo", "1");
      locate();
    } else {
      localStorage.removeItem("sx-capture-geo");
      position = null;
      geoStatus.textContent = "不记录位置。";
    }
  });
  if (localStorage.getItem("sx-capture-geo") === "1") {
    geo.checked = true;
    locate();
  }

  function preview(file, kind) {
    const canvas = $("capture-canvas");
    const video = $("capture-video-preview");
    const audio = $("capture-audio-preview");
    for (const el of [canvas, video, audio]) el.hidden = true;
    for (const el of [video, audio]) {
      if (el.src) URL.revokeObjectURL(el.src);
      el.removeAttribute("src");
    }
    if (kind === "photo" && window.createImageBitmap) {
      // Drawn on a canvas: the page's CSP allows no blob: images.
      createImageBitmap(file).then((image) => {
        const scale = Math.min(1, 640 / Math.max(image.width, image.height));
        canvas.width = Math.round(image.width * scale);
        canvas.height = Math.round(image.height * scale);
        canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
        canvas.hidden = false;
      }).catch(() => {});
    } else if (kind === "video" || kind === "audio") {
      const el = kind === "video" ? video : audio;
      el.src = URL.createObjectURL(file);
      el.hidden = false;
    }
  }

  // Put a file (new, or kept from before) on the form, ready to send.
  function load(item) {
    const { file, kind } = item;
    current = item;
    form.hidden = false;
    form.elements.media_kind.value = kind;
    for (const [name, value] of Object.entries(item.fields || {})) {
      if (form.elements[name] && value !== undefined) form.elements[name].value = value;
    }
    if (!item.fields) form.elements.title.value = `现场${KIND_LABEL[kind]} ${shortTime(item.capturedAt)}`;
    $("capture-file").textContent = `${KIND_LABEL[kind]} · ${file.name} · ${humanSize(file.size)} · 拍摄时间 ${fullTime(item.capturedAt)}（设备时间）`;
    $("capture-cancel").textContent = "放弃";
    preview(file, kind);
    progress(0, 1);
    send.disabled = false;
  }

  function choose(input) {
    const file = input.files[0];
    input.value = "";
    if (!file) return;
    if (running) { show("正在上传上一份文件，请稍候。", "warning"); return; }
    const kind = kindOf(file, input.dataset.kind);
    form.hidden = false;
    if (!kind) { current = null; show("只能上传照片、录像或录音。", "danger"); return; }
    const now = Date.now();
    // A file just taken carries the moment it was taken; one from the gallery its own time.
    const taken = file.lastModified && file.lastModified <= now + 60000 ? new Date(file.lastModified) : new Date(now);
    load({ id: newId(), file, kind, capturedAt: taken, kept: false });
    if (file.size > maxBytes) { show(`文件超过上传上限（${humanSize(maxBytes)}）。`, "danger"); current = null; send.disabled = true; return; }
    show("请核对标题和证据种类，然后上传。", "secondary");
    keep(current, false).then(listPending);
    if (geo.checked) locate();
  }

  function formFields() {
    const f = form.elements;
    return { title: f.title.value, evidence_type: f.evidence_type.value, label: f.label.value, description: f.description.value };
  }

  // Keep the file in this browser until the server has verified it (``started``: the officer
  // pressed 上传, so a return to the page resumes it without asking).
  async function keep(item, started) {
    try {
      await keepLocally({
        id: item.id,
        uploadsUrl,
        file: item.file,
        kind: item.kind,
        capturedAt: item.capturedAt.toISOString(),
        fields: formFields(),
        position: position && geo.checked ? position : null,
        started,
        savedAt: new Date().toISOString(),
      });
      item.kept = true;
    } catch (err) {
      item.kept = false;
      $("capture-kept").textContent = "注意：此浏览器无法在本机暂存文件（空间不足或已禁用），上传完成前请勿关闭页面。";
    }
  }

  async function forget(item) {
    if (item && item.id) await dropLocally(item.id);
    await listPending();
  }

  for (const input of document.querySelectorAll("input[type=file][data-kind]")) {
    input.addEventListener("change", () => choose(input));
  }

  function metadata(item, digest) {
    const fields = {
      filename: item.file.name,
      title: form.elements.title.value,
      evidence_type: form.elements.evidence_type.value,
      media_kind: item.kind,
      label: form.elements.label.value,
      description: form.elements.description.value,
      sha256: digest,
      captured_at: item.capturedAt.toISOString(),
    };
    const where = item.position || (geo.checked ? position : null);
    if (where) {
      fields.latitude = String(where.latitude);
      fields.longitude = String(where.longitude);
      fields.accuracy = String(where.accuracy);
    }
    return Object.entries(fields).map(([k, v]) => (v ? `${k} ${base64Text(v)}` : k)).join(",");
  }

  async function refusal(response) {
    try {
      const body = await response.json();
      return body.error ? body.error : { code: "", message: `上传失败（HTTP ${response.status}）` };
    } catch (err) {
      return { code: "", message: `上传失败（HTTP ${response.status}）` };
    }
  }

  async function request(method, url, headers) {
    try {
      return await fetch(url, {
        method,
        credentials: "same-origin",
        headers: { "Tus-Resumable": TUS, "X-CSRFToken": csrf(), Accept: "application/json", ...headers },
      });
    } catch (err) {
      throw new Dropped(String(err));
    }
  }

  async function create(item, digest) {
    const response = await request("POST", uploadsUrl, {
      "Upload-Length": String(item.file.size),
      "Upload-Metadata": metadata(item, digest),
    });
    if (response.status !== 201) throw new Fatal((await refusal(response)).message);
    return response.headers.get("Location");
  }

  // Where the server stands: {offset} or {record} once it has made the record.
  async function where(url) {
    const response = await request("HEAD", url, {});
    if (response.status === 200) {
      const record = response.headers.get("X-Record-Url");
      return record ? { record } : { offset: Number(response.headers.get("Upload-Offset")) };
    }
    if (response.status >= 500) throw new Dropped(`HTTP ${response.status}`);
    return { gone: true };
  }

  function patch(job, url, offset, bytes, digest) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      job.xhr = xhr;
      xhr.open("PATCH", url);
      xhr.setRequestHeader("Tus-Resumable", TUS);
      xhr.setRequestHeader("X-CSRFToken", csrf());
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("Content-Type", "application/offset+octet-stream");
      xhr.setRequestHeader("Upload-Offset", String(offset));
      xhr.setRequestHeader("Upload-Checksum", "sha256 " + base64Bytes(digest));
      // At least 10 KB/s, or the chunk counts as dropped and is sent again.
      xhr.timeout = Math.max(60000, (bytes.length / 10240) * 1000);
      xhr.upload.addEventListener("progress", (e) => progress(offset + e.loaded, job.size));
      xhr.addEventListener("load", () => resolve(xhr));
      xhr.addEventListener("error", () => reject(new Dropped("error")));
      xhr.addEventListener("timeout", () => reject(new Dropped("timeout")));
      xhr.addEventListener("abort", () => reject(job.cancelled ? new Fatal("已放弃上传。") : new Dropped("abort")));
      xhr.send(bytes);
    });
  }

  // Wait before asking the server again: a growing delay, or until the network is back.
  function pause(job, attempt, offset) {
    const seconds = RETRY_SECONDS[Math.min(attempt, RETRY_SECONDS.length - 1)];
    const sent = `已上传 ${humanSize(offset)}，`;
    const offline = () => show(`网络已断开。${sent}恢复后自动从中断处续传……`, "warning");
    if (navigator.onLine === false) offline();
    else show(`网络中断。${sent}${seconds} 秒后自动从中断处续传……`, "warning");
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        window.removeEventListener("online", done);
        window.removeEventListener("offline", offline);
        job.wake = null;
        resolve();
      };
      const timer = setTimeout(() => (navigator.onLine === false ? offline() : done()), seconds * 1000);
      window.addEventListener("online", done);
      window.addEventListener("offline", offline);
      job.wake = done;
    });
  }

  function finished(job, recordUrl) {
    localStorage.removeItem(job.key);
    // The server has verified the whole file's SHA-256: only now is the kept copy let go.
    forget(job);
    progress(1, 1);
    show("上传完成：整个文件的 SHA-256 已核对一致，已生成记录。", "success");
    const link = document.createElement("a");
    link.href = recordUrl;
    link.textContent = form.elements.title.value;
    const item = document.createElement("li");
    item.append(link, ` · ${KIND_LABEL[job.kind]} · 刚刚`);
    const none = $("capture-none");
    if (none) none.remove();
    $("capture-done").prepend(item);
    link.id = "capture-last";
    current = null;
    send.disabled = true;
    $("capture-cancel").textContent = "关闭";
  }

  async function run(job) {
    const file = job.file;
    show("正在计算文件摘要（SHA-256）……", "secondary");
    const digest = await wholeDigest(file, (f) => show(`正在计算文件摘要（SHA-256）…… ${Math.floor(f * 100)}%`, "secondary"));
    job.key = `sx-upload:${uploadsUrl}:${digest}:${file.size}`;
    let url = localStorage.getItem(job.key);
    let offset = 0;
    let attempt = 0;
    let mismatches = 0;
    let chunkBytes = firstChunk;
    if (url) {
      const state = await where(url).catch(() => ({ gone: true }));
      if (state.record) return finished(job, state.record);
      if (state.gone) { localStorage.removeItem(job.key); url = null; } else offset = state.offset;
    }
    if (!url) {
      url = await create(job, digest);
      localStorage.setItem(job.key, url);
    }
    job.url = url;
    while (!job.cancelled) {
      try {
        if (attempt > 0 || job.lost) {
          const state = await where(url);
          if (state.record) return finished(job, state.record);
          if (state.gone) {
            // The server let the upload go (expired or cleaned): the file is still here.
            if (job.restarted) throw new Fatal("该上传已失效（超过续传期限或已被清理），请重新上传。");
            job.restarted = true;
            localStorage.removeItem(job.key);
            url = await create(job, digest);
            localStorage.setItem(job.key, url);
            job.url = url;
            offset = 0;
            job.lost = false;
            continue;
          }
          offset = state.offset;
          job.lost = false;
        }
        show(`正在上传…… ${humanSize(offset)} / ${humanSize(file.size)}`, "secondary");
        const bytes = new Uint8Array(await file.slice(offset, Math.min(offset + chunkBytes, file.size)).arrayBuffer());
        const started = Date.now();
        const xhr = await patch(job, url, offset, bytes, await chunkDigest(bytes));
        if (xhr.status === 204) {
          attempt = 0;
          // Chunks of about 2–8 seconds: larger on a good link, smaller on a weak one.
          const took = Date.now() - started;
          if (took < 2000) chunkBytes = Math.min(chunkBytes * 2, chunkCeiling);
          else if (took > 8000) chunkBytes = Math.max(Math.floor(chunkBytes / 2), chunkFloor);
          offset = Number(xhr.getResponseHeader("Upload-Offset"));
          progress(offset, file.size);
          const record = xhr.getResponseHeader("X-Record-Url");
          if (record) return finished(job, record);
          continue;
        }
        let error = {};
        try { error = JSON.parse(xhr.responseText).error || {}; } catch (err) { error = {}; }
        if (xhr.status === 460 && ++mismatches <= 3) continue; // the chunk changed in transit: again
        if (xhr.status === 409) { job.lost = true; continue; } // ask the server where it stands
        if (xhr.status === 423) { job.lost = true; await pause(job, 1, offset); continue; }
        if (xhr.status >= 500 || xhr.status === 0) throw new Dropped(`HTTP ${xhr.status}`);
        throw new Fatal(error.message || `上传失败（HTTP ${xhr.status}）`);
      } catch (err) {
        if (!(err instanceof Dropped) || job.cancelled) throw err;
        chunkBytes = Math.max(Math.floor(chunkBytes / 2), chunkFloor); // what dropped was too long
        await pause(job, attempt++, offset);
      }
    }
    throw new Fatal("已放弃上传。");
  }

  async function giveUp(job) {
    localStorage.removeItem(job.key);
    if (job.url) await request("DELETE", job.url, {}).catch(() => {});
  }

  async function start() {
    if (!current || running) return;
    if (!form.elements.title.value.trim()) { show("请填写标题。", "danger"); return; }
    const item = current;
    const job = { id: item.id, file: item.file, kind: item.kind, capturedAt: item.capturedAt, position: item.position, size: item.file.size, cancelled: false };
    running = job;
    send.disabled = true;
    await keep(item, true);
    job.kept = item.kept;
    listPending();
    run(job).catch(async (err) => {
      if (!job.cancelled) await giveUp(job);
      // Refused by the server (or given up): the kept copy goes too. Anything else keeps it.
      if (err instanceof Fatal) forget(job);
      show(err instanceof Fatal ? err.message : "上传失败：" + err, "danger");
      send.disabled = job.cancelled || !current;
    }).finally(() => { running = null; });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    start();
  });

  $("capture-cancel").addEventListener("click", () => {
    if (running) {
      running.cancelled = true;
      if (running.xhr) running.xhr.abort();
      if (running.wake) running.wake();
      giveUp(running);
    }
    forget(current);
    current = null;
    form.hidden = true;
    show("", "secondary");
  });

  // Kept in this browser, a file survives the page; only one that could not be kept asks.
  window.addEventListener("beforeunload", (event) => {
    if (running && !running.kept) event.preventDefault();
  });

  // --- what is still pending from before: listed, and resumed where it had begun ----------
  async function listPending() {
    const box = $("capture-pending");
    const list = $("capture-pending-list");
    let items = [];
    try {
      items = (await keptLocally()).filter((i) => i.uploadsUrl === uploadsUrl);
    } catch (err) {
      box.hidden = true;
      return [];
    }
    items.sort((a, b) => a.savedAt.localeCompare(b.savedAt));
    list.replaceChildren();
    for (const item of items) {
      const row = document.createElement("li");
      row.className = "d-flex flex-wrap align-items-center gap-2 py-1 border-bottom";
      row.dataset.pendingId = item.id;
      const text = document.createElement("span");
      text.className = "me-auto";
      const state = running && running.id === item.id ? "正在上传" : item.started ? "上传未完成" : "尚未上传";
      text.textContent = `${item.fields.title || KIND_LABEL[item.kind]} · ${humanSize(item.file.size)} · 拍摄时间 ${fullTime(new Date(item.capturedAt))} · ${state}`;
      row.append(text);
      if (!(running && running.id === item.id)) {
        const resume = document.createElement("button");
        resume.type = "button";
        resume.className = "btn btn-sm btn-primary";
        resume.dataset.action = "resume";
        resume.textContent = "继续上传";
        resume.addEventListener("click", () => resumeKept(item));
        const discard = document.createElement("button");
        discard.type = "button";
        discard.className = "btn btn-sm btn-outline-secondary";
        discard.dataset.action = "discard";
        discard.textContent = "放弃";
        discard.addEventListener("click", () => {
          if (current && current.id === item.id) { current = null; form.hidden = true; }
          forget(item);
        });
        row.append(resume, discard);
      }
      list.append(row);
    }
    box.hidden = items.length === 0;
    return items;
  }

  function resumeKept(item) {
    if (running) { show("正在上传上一份文件，请稍候。", "warning"); return; }
    load({ id: item.id, file: item.file, kind: item.kind, capturedAt: new Date(item.capturedAt), fields: item.fields, position: item.position, kept: true });
    show("已取回本机暂存的文件，正在续传……", "secondary");
    start();
  }

  listPending().then((items) => {
    const begun = items.find((i) => i.started);
    if (begun && !running) resumeKept(begun);
  });
}
