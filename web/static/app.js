// Reply-to buttons: fill the hidden reply_to field and focus the reply box.
document.addEventListener("click", function (event) {
  const reply = event.target.closest(".js-reply");
  if (reply) {
    const field = document.getElementById("reply_to");
    const box = document.getElementById("reply_body");
    if (!field || !box) return;
    field.value = reply.dataset.post;
    document.getElementById("reply-target-name").textContent = "@" + reply.dataset.user;
    document.getElementById("reply-target").hidden = false;
    box.focus();
    box.scrollIntoView({ behavior: "smooth", block: "center" });
  }
  if (event.target.closest(".js-reply-clear")) {
    document.getElementById("reply_to").value = "";
    document.getElementById("reply-target").hidden = true;
  }
});
