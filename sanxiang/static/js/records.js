// Evidence upload: the file goes as the raw body of a PUT (streamed to disk and hashed on the
// server), the metadata in the query string; XHR because fetch() reports no upload progress.
(function () {
  const form = document.getElementById("record-upload");
  if (!form) return;
  const bar = document.getElementById("record-progress");
  const status = document.getElementById("record-status");
  const button = form.querySelector("button[type=submit]");

  function show(text, kind) {
    status.textContent = text;
    status.className = "small mb-2 text-" + kind;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const file = document.getElementById("record-file").files[0];
    if (!file) { show("请选择文件。", "danger"); return; }
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form).entries()) {
      if (name !== "file" && name !== "csrfmiddlewaretoken") params.append(name, value);
    }
    params.append("name", file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", form.dataset.url + "?" + params.toString());
    xhr.setRequestHeader("X-CSRFToken", document.querySelector("meta[name=csrf-token]").content);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      const percent = Math.round((e.loaded / e.total) * 100);
      bar.style.width = percent + "%";
      bar.parentElement.setAttribute("aria-valuenow", String(percent));
      bar.textContent = percent + "%";
    });
    xhr.addEventListener("load", () => {
      button.disabled = false;
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
      if (xhr.status === 201) {
        show("上传完成，SHA-256：" + body.sha256, "success");
        window.location.assign(body.url);
      } else {
        const message = body.error ? body.error.message : "上传失败（HTTP " + xhr.status + "）";
        show(message, "danger");
      }
    });
    xhr.addEventListener("error", () => { button.disabled = false; show("网络中断，上传未完成，未保存任何内容。", "danger"); });
    button.disabled = true;
    show("正在上传……", "secondary");
    xhr.send(file);
  });
})();
