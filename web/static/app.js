// Reply-to buttons: fill the hidden reply_to field and focus the reply box.
document.addEventListener("click", function (event) {
  const reply = event.target.closest(".js-reply");
  if (reply) {
    const field = document.getElementById("reply_to");
    const box = document.getElementById("reply_body");
    if (!field || !box) return;
    event.preventDefault();  // a link (?balas=…) for browsers without JavaScript; here it happens in place
    field.value = reply.dataset.post;
    document.getElementById("reply_to_name").value = reply.dataset.user;
    showReplyTarget();
    box.dispatchEvent(new Event("input", { bubbles: true }));  // the draft now answers this post
    box.focus();
    const still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    box.scrollIntoView({ behavior: still ? "auto" : "smooth", block: "center" });
  }
  if (event.target.closest(".js-reply-clear")) {
    event.preventDefault();
    document.getElementById("reply_to").value = "";
    document.getElementById("reply_to_name").value = "";
    showReplyTarget();
    document.getElementById("reply_body").dispatchEvent(new Event("input", { bubbles: true }));
  }
});

// "Membalas @nama" follows the hidden fields, also when a draft restores them or "Buang draf" clears them.
function showReplyTarget() {
  const field = document.getElementById("reply_to"), name = document.getElementById("reply_to_name");
  const line = document.getElementById("reply-target");
  if (!field || !name || !line) return;
  line.hidden = !(field.value && name.value);
  document.getElementById("reply-target-name").textContent = name.value ? "@" + name.value : "";
}
["draft-restored", "input"].forEach(function (type) {
  document.addEventListener(type, function (event) {
    if (event.target && (event.target.id === "reply_to" || event.target.id === "reply_to_name")) showReplyTarget();
  });
});

// Drafts: the composer and the reply box keep what was typed, in this browser and per member, until the
// server confirms it was sent. Opening a "Pertanyaan serupa" answer, a refused send, a closed tab or a crash
// never loses a half-written question.
// Logging out clears every draft: office computers are shared.
(function () {
  const member = document.body.dataset.member;
  let store = null;
  try { store = window.localStorage; } catch (e) { return; }  // storage disabled: nothing to keep
  if (!store) return;
  document.querySelectorAll("form[action='/keluar']").forEach(function (form) {
    form.addEventListener("submit", function () {
      Object.keys(store).filter(function (k) { return k.indexOf("draf:") === 0; }).forEach(function (k) { store.removeItem(k); });
    });
  });
  if (!member) return;
  // The server names the draft a successful send used (a refused send keeps it).
  if (document.body.dataset.draftSent) store.removeItem("draf:" + member + ":" + document.body.dataset.draftSent);
  document.querySelectorAll("form[data-draft]").forEach(function (form) {
    const key = "draf:" + member + ":" + form.dataset.draft;
    const box = form.closest(".composer") || form;  // where notes about the draft go: above its first field
    const fields = Array.from(form.elements).filter(function (f) {
      // A hidden field marked data-draft-keep travels with the draft: an edit's version, so that a draft typed
      // over an older text is still refused as a conflict when it is restored over a newer one.
      return f.name && f.name !== "_csrf_token" && (f.type !== "hidden" || f.hasAttribute("data-draft-keep")) &&
        f.type !== "submit" && f.type !== "button";
    });
    function read(ignorePrefill) {
      const data = {};
      let typed = false;
      fields.forEach(function (f) {
        if (f.type === "checkbox") {
          data[f.name] = data[f.name] || [];
          if (f.checked) data[f.name].push(f.value);
        } else {
          data[f.name] = f.value;
          if ((f.tagName === "TEXTAREA" || f.tagName === "INPUT") && f.type !== "hidden" && f.value.trim() && !(ignorePrefill && f.hasAttribute("data-prefilled"))) typed = true;
        }
      });
      return typed ? data : null;
    }
    let saved = null;
    try { saved = JSON.parse(store.getItem(key) || "null"); } catch (e) { saved = null; }
    // After a refused send the server renders what was sent: that wins over an older draft. A title carried
    // over from a search does not: the member's unsent draft comes back instead of being overwritten.
    if (saved && read(true) === null) {
      // What the page came with (a title carried over from a search, the home agency): "Buang draf" returns to it.
      const initial = fields.map(function (f) { return f.type === "checkbox" ? f.checked : f.value; });
      fields.forEach(function (f) {
        if (!(f.name in saved)) return;
        if (f.type === "checkbox") f.checked = saved[f.name].indexOf(f.value) >= 0;
        else f.value = saved[f.name];
      });
      const note = document.createElement("p");
      note.className = "hint draft-note";
      note.setAttribute("data-testid", "draft-restored");
      note.textContent = "Draf yang belum terkirim dipulihkan. ";
      const drop = document.createElement("button");
      drop.type = "button";
      drop.className = "linkbtn";
      drop.textContent = "Buang draf";
      drop.addEventListener("click", function () {
        store.removeItem(key);
        fields.forEach(function (f, i) { if (f.type === "checkbox") f.checked = initial[i]; else f.value = initial[i]; });
        note.remove();
        fields.forEach(function (f) { f.dispatchEvent(new Event("input", { bubbles: true })); });
        clearTimeout(timer);  // those events refresh the preview and suggestions; they are not the member typing
        store.removeItem(key);
      });
      note.appendChild(drop);
      box.insertBefore(note, box.firstChild);
      // Let the preview and the similar-question suggestions catch up with the restored text, once htmx has
      // wired its triggers (at DOMContentLoaded, after this deferred script ran). An "input" alone is not
      // enough: htmx's "changed" takes the restored value as already seen, hence the title's own event.
      function catchUp() {
        fields.forEach(function (f) {
          if (!f.value) return;
          f.dispatchEvent(new Event("input", { bubbles: true }));
          f.dispatchEvent(new Event("draft-restored"));
        });
      }
      if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", function () { setTimeout(catchUp, 0); });
      } else {
        setTimeout(catchUp, 0);
      }
    }
    let timer = null;
    function save() {
      const data = read();
      try { if (data) store.setItem(key, JSON.stringify(data)); else store.removeItem(key); } catch (e) { /* full */ }
    }
    // Listened for on the document: a field may belong to the form from outside it (the composer's title).
    function ours(event) { return event.target.form === form; }
    document.addEventListener("input", function (event) { if (ours(event)) { clearTimeout(timer); timer = setTimeout(save, 300); } });
    document.addEventListener("change", function (event) { if (ours(event)) save(); });
    form.addEventListener("submit", function () { clearTimeout(timer); save(); });
    // Back after a confirmed send brings this page out of the browser's back/forward cache with the sent text
    // still in the box: sent again (the server's resend check lasts two minutes) it would post twice. The
    // draft's absence tells the send was confirmed (a refused send keeps it), so the box is emptied instead.
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted || !form.dataset.sending || store.getItem(key) !== null) return;
      // Emptied, not reset: an edit form's default is the text before the edit, which sent again would undo it.
      fields.forEach(function (f) {
        if (f.tagName !== "TEXTAREA" && f.type !== "text") return;
        f.value = "";
        f.dispatchEvent(new Event("input", { bubbles: true }));  // the preview and suggestions follow
      });
      box.querySelectorAll(".draft-note").forEach(function (n) { n.remove(); });
      const note = document.createElement("p");
      note.className = "hint draft-note";
      note.setAttribute("data-testid", "already-sent");
      note.setAttribute("role", "status");
      note.textContent = "Tulisan ini sudah terkirim, jadi formulirnya dikosongkan agar tidak terkirim dua kali.";
      box.insertBefore(note, box.firstChild);
    });
  });
})();

// A form is sent once: a second click (or Enter) while the first send is on its way is ignored, so a slow
// connection does not post the same reply twice. The page coming back from the history (Back) re-arms it.
document.addEventListener("submit", function (event) {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || (form.method || "").toLowerCase() !== "post") return;
  if (form.dataset.sending) { event.preventDefault(); return; }
  // Set after every other submit handler ran: a handler that cancels the send must not lock the form.
  setTimeout(function () {
    if (event.defaultPrevented) return;
    form.dataset.sending = "1";
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) { b.setAttribute("aria-busy", "true"); });
  }, 0);
  // A send that never answers (network gone) must not lock the form for good.
  setTimeout(function () { delete form.dataset.sending; }, 15000);
});
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-sending]").forEach(function (form) {
    delete form.dataset.sending;
    form.querySelectorAll("[aria-busy]").forEach(function (b) { b.removeAttribute("aria-busy"); });
  });
});

// Field errors from the server are tied to their controls (aria-invalid, aria-describedby) and the first one
// gets the focus: a refused form opens where the problem is (an empty reply's error sits far down a long
// thread), and a screen reader reads the message with the field.
(function () {
  let first = null;
  document.querySelectorAll(".field-error[id^='err-']").forEach(function (p) {
    const name = p.id.slice(4);
    const form = p.closest("form");
    let control = (form && form.elements.namedItem(name)) || document.querySelector("[name='" + CSS.escape(name) + "']");
    if (control && !(control instanceof Element)) control = control[0];  // a group of checkboxes
    if (!control) return;
    control.setAttribute("aria-invalid", "true");
    const ids = (control.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    if (ids.indexOf(p.id) < 0) ids.push(p.id);
    control.setAttribute("aria-describedby", ids.join(" "));
    first = first || control;
  });
  if (first && !document.querySelector("[autofocus]")) first.focus();
  // A refusal that belongs to no field (a merge or a queue decision that came too late) is focused instead,
  // so a keyboard or screen-reader user starts at the reason.
  const alert = first ? null : document.querySelector(".alert[role=alert][tabindex='-1']");
  if (alert && !document.querySelector("[autofocus]")) alert.focus();
})();

// A confirmation ("Terima kasih…") on a page opened at a post (#post-12) would sit at the top, out of view:
// it is shown just above that post instead.
(function () {
  const flash = document.querySelector(".flash");
  const target = location.hash.length > 1 ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
  if (!flash || !target || !target.parentNode) return;
  target.parentNode.insertBefore(flash, target);
  target.scrollIntoView();
})();

// A link made before the thread grew or was merged (#post-12 on the wrong page of a long thread): the post's
// permanent address knows the page that shows it now.
(function () {
  const m = /^#post-(\d+)$/.exec(location.hash);
  if (!m || document.getElementById("post-" + m[1]) || !document.querySelector(".replies")) return;
  location.replace("/p/" + m[1]);
})();

// The browser's own checks (a required field left empty) speak in the browser's language, English on many office
// machines: the forms that use them get the message in Indonesian instead.
document.addEventListener("invalid", function (event) {
  const field = event.target, v = field.validity;
  if (!v || !field.setCustomValidity) return;
  field.setCustomValidity("");
  if (v.valueMissing) field.setCustomValidity(field.tagName === "SELECT" ? "Pilih salah satu." : "Kolom ini wajib diisi.");
  else if (v.tooShort) field.setCustomValidity("Minimal " + field.minLength + " karakter (sekarang " + field.value.length + ").");
  else if (v.typeMismatch && field.type === "email") field.setCustomValidity("Tulis alamat email yang sah, mis. nama@instansi.go.id.");
  else if (!v.valid) field.setCustomValidity("Periksa isian ini.");
}, true);
document.addEventListener("input", function (event) {
  if (event.target && event.target.setCustomValidity) event.target.setCustomValidity("");
}, true);

// htmx leaves the target as it was on an error status; the preview's "paused" notice (429) is meant to be read.
document.addEventListener("htmx:beforeSwap", function (event) {
  const d = event.detail;
  if (d.xhr && d.xhr.status === 429 && d.target && d.target.id === "preview") { d.shouldSwap = true; d.isError = false; }
});

// "Tampilkan kata sandi" under every password field: on a phone keyboard a typo in a hidden password is easy to
// make and hard to see, and the register form asks for the password once.
document.querySelectorAll("input[type=password]").forEach(function (field) {
  const label = document.createElement("label"), box = document.createElement("input");
  label.className = "show-password small";
  box.type = "checkbox";
  box.setAttribute("data-testid", "show-password");
  box.addEventListener("change", function () { field.type = box.checked ? "text" : "password"; });
  label.append(box, " Tampilkan kata sandi");
  field.insertAdjacentElement("afterend", label);
  // Sent as a password field again: a browser offers to save only what it saw typed as one.
  if (field.form) field.form.addEventListener("submit", function () { field.type = "password"; });
});
