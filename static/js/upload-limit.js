// A file input with data-max-bytes refuses a larger file before the form is sent (R-I17): the
// message (data-too-large-message) shows right after the input and the submit is blocked.
// The server checks again; this only spares the manager a long upload that would be refused.
(() => {
  "use strict";
  const SELECTOR = "input[type=file][data-max-bytes]";

  function messageFor(input) {
    let note = input.nextElementSibling;
    if (!note || !note.classList.contains("upload-limit-error")) {
      note = document.createElement("p");
      note.className = "error upload-limit-error";
      note.setAttribute("role", "alert");
      note.id = `${input.id || input.name}-too-large`;
      note.hidden = true;
      input.after(note);
      input.setAttribute("aria-describedby", note.id);
    }
    return note;
  }

  // Show or hide the input's message; true when its file may be sent.
  function check(input) {
    const max = Number(input.dataset.maxBytes);
    const tooLarge = Array.from(input.files || []).some((file) => file.size > max);
    const note = messageFor(input);
    note.textContent = tooLarge
      ? input.dataset.tooLargeMessage || `The file is larger than ${max} bytes.`
      : "";
    note.hidden = !tooLarge;
    return !tooLarge;
  }

  document.addEventListener("change", (event) => {
    if (event.target.matches(SELECTOR)) check(event.target);
  });
  document.addEventListener("submit", (event) => {
    const inputs = Array.from(event.target.querySelectorAll(SELECTOR));
    if (!inputs.map(check).every(Boolean)) event.preventDefault();
  });
})();
