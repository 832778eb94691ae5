// 验证: check the inclusion proof shown on the page in the browser, against the public log
// (docs/public-log.md). Nothing here trusts the server's verdict: the leaf is recomputed from
// the entry, the root from the proof (RFC 9162 §2.1.3.2), the checkpoint's signature is checked
// under the key the public log publishes (Web Crypto Ed25519), and the checkpoint is linked to
// the log's latest public checkpoint by a consistency proof (§2.1.4.2).
(() => {
  const box = document.querySelector("[data-browser-check]");
  const data = document.getElementById("proof-data");
  if (!box || !data) return;
  const steps = box.querySelector("[data-browser-steps]");
  const summary = box.querySelector("[data-browser-summary]");
  const enc = new TextEncoder();
  const hex = (b) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  const unhex = (h) => {
    if (typeof h !== "string" || !/^([0-9a-f]{2})*$/i.test(h)) throw new Error("摘要不是十六进制");
    return Uint8Array.from(h.match(/../g) || [], (x) => parseInt(x, 16));
  };
  const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const cat = (...parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  };
  const sha = async (bytes) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const node = (l, r) => sha(cat(Uint8Array.of(1), l, r));
  const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  const half = (x) => Math.floor(x / 2);
  const odd = (x) => x % 2 === 1;
  const canonical = (o) =>
    "{" + Object.keys(o).sort().map((k) => JSON.stringify(k) + ":" + JSON.stringify(o[k])).join(",") + "}";

  async function inclusionRoot(leaf, index, size, path) {
    if (index >= size) throw new Error("序号不小于条目数");
    let fn = index, sn = size - 1, r = leaf;
    for (const p of path) {
      if (sn === 0) throw new Error("证明过长");
      if (odd(fn) || fn === sn) {
        r = await node(p, r);
        while (!odd(fn) && fn !== 0) { fn = half(fn); sn = half(sn); }
      } else {
        r = await node(r, p);
      }
      fn = half(fn); sn = half(sn);
    }
    if (sn !== 0) throw new Error("证明过短");
    return r;
  }

  async function consistencyRoots(m, n, proof, oldRoot) {
    const path = proof.slice();
    let p = m;
    while (p > 1 && p % 2 === 0) p /= 2;
    if (p === 1) path.unshift(oldRoot); // m is a power of two
    let fn = m - 1, sn = n - 1;
    while (odd(fn)) { fn = half(fn); sn = half(sn); }
    let fr = path[0], sr = path[0];
    for (const c of path.slice(1)) {
      if (sn === 0) throw new Error("证明过长");
      if (odd(fn) || fn === sn) {
        fr = await node(c, fr); sr = await node(c, sr);
        while (!odd(fn) && fn !== 0) { fn = half(fn); sn = half(sn); }
      } else {
        sr = await node(sr, c);
      }
      fn = half(fn); sn = half(sn);
    }
    if (sn !== 0) throw new Error("证明过短");
    return [fr, sr];
  }

  async function signatureOk(checkpoint, key) {
    if (checkpoint.key_id !== key.key_id) return false;
    const body = checkpoint.note.split("\n\n")[0] + "\n";
    const publicKey = await crypto.subtle.importKey("raw", unb64(key.public_key), { name: "Ed25519" }, false, ["verify"]);
    return crypto.subtle.verify("Ed25519", publicKey, unb64(checkpoint.signature), enc.encode(body));
  }

  const results = [];
  function step(ok, text) {
    results.push(ok);
    const li = document.createElement("li");
    li.className = ok ? "text-success" : ok === null ? "text-body-secondary" : "text-danger";
    li.textContent = (ok ? "✓ " : ok === null ? "— " : "✗ ") + text;
    steps.append(li);
    return ok;
  }

  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    const body = await response.json();
    if (!response.ok) throw new Error(body?.error?.message || `HTTP ${response.status}`);
    return body;
  }

  async function check() {
    const proof = JSON.parse(data.textContent);
    const cp = proof.checkpoint, entry = proof.entry;
    if (!cp || !entry) throw new Error("证明中缺少检查点或条目");
    if ((cp.hash || "sha256") !== "sha256") {
      step(null, "本平台使用国密 SM3 摘要，浏览器不能计算，请下载证明用离线核验工具核对。");
      return;
    }
    const payloadHash = hex(await sha(enc.encode(entry.payload)));
    const leafInput = canonical({
      actor: entry.actor_id, actor_label: entry.actor_label, agency: entry.agency_id,
      case: entry.case_id, event: entry.event_type, payload_sha256: payloadHash, t: entry.t,
    });
    const leaf = await sha(cat(Uint8Array.of(0), enc.encode(leafInput)));
    step(hex(leaf) === proof.leaf_hash && hex(leaf) === entry.leaf_hash,
      `由条目内容重新算出叶子摘要 ${hex(leaf).slice(0, 16)}…${hex(leaf) === proof.leaf_hash ? "，与证明一致" : "，与证明不符：条目内容被改动过"}。`);
    const size = Number(cp.tree_size), root = unhex(cp.root_hash);
    let computed = null;
    try {
      computed = await inclusionRoot(leaf, Number(proof.seq), size, proof.proof.map(unhex));
    } catch (err) {
      step(false, `存在性证明不成立：${err.message}。`);
    }
    if (computed) {
      step(same(computed, root), same(computed, root)
        ? `由存在性证明算出的根摘要与条目数 ${size} 的检查点一致。`
        : "由存在性证明算出的根摘要与检查点不符。");
    }
    const keys = await getJson(box.dataset.keysUrl);
    if (keys.log.algorithm !== "ed25519" || !crypto.subtle.importKey) {
      step(null, "检查点为国密 SM2 签名，浏览器不能核对，请用离线核验工具核对签名。");
    } else {
      try {
        const ok = await signatureOk(cp, keys.log);
        step(ok, ok
          ? `检查点签名在公开账本公布的账本公钥（${keys.log.key_id}）下有效。`
          : "检查点签名在公开账本公布的账本公钥下无效。");
      } catch (err) {
        step(null, "本浏览器不支持 Ed25519 签名核对，请用离线核验工具核对签名。");
      }
    }
    const latest = await getJson(box.dataset.checkpointUrl);
    if (latest.tree_size === size) {
      step(latest.root_hash === cp.root_hash, latest.root_hash === cp.root_hash
        ? "该检查点就是公开账本当前最新的检查点。"
        : "公开账本同一条目数的检查点根摘要不同：账本分叉。");
    } else if (latest.tree_size < size) {
      step(false, `公开账本最新检查点只有 ${latest.tree_size} 条，少于证明所依据的 ${size} 条：账本被回滚或证明并非来自公开账本。`);
    } else {
      const url = `${box.dataset.consistencyUrl}?first=${size}&second=${latest.tree_size}`;
      const answer = await getJson(url);
      let ok = false;
      try {
        const [fr, sr] = await consistencyRoots(size, latest.tree_size, answer.proof.map(unhex), root);
        ok = same(fr, root) && same(sr, unhex(latest.root_hash));
      } catch (err) { ok = false; }
      step(ok, ok
        ? `该检查点与公开账本最新检查点（${latest.tree_size} 条）一致：账本此后只增未改。`
        : "该检查点与公开账本最新检查点之间的一致性证明不成立。");
    }
  }

  check().then(() => {
    const failed = results.includes(false);
    const partial = results.includes(null);
    summary.textContent = failed ? "浏览器核对未通过。" : partial ? "浏览器已核对以上各项，其余请用离线核验工具核对。" : "浏览器独立核对通过。";
    summary.className = failed ? "fw-semibold text-danger mb-0" : "fw-semibold text-success mb-0";
  }).catch((err) => {
    summary.textContent = `浏览器无法核对：${err.message}`;
    summary.className = "fw-semibold text-danger mb-0";
  });
})();
