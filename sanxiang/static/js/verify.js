// 验证: hash a chosen file in the browser (Web Crypto SHA-256) so it need not be uploaded.
document.addEventListener("change", async (event) => {
  const input = event.target.closest("input[data-hash-into]");
  if (!input || !input.files.length || !window.crypto?.subtle) return;
  const form = input.form;
  const digest = await crypto.subtle.digest("SHA-256", await input.files[0].arrayBuffer());
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  form.querySelector(input.dataset.hashInto).value = hex;
  const note = form.querySelector("[data-hash-note]");
  if (note) note.textContent = "已在本机算出文件摘要：" + hex;
  input.disabled = true; // the file itself is not sent
  form.method = "get";
  form.removeAttribute("enctype");
  form.submit();
});
