// The page's one script (loaded into <head> by rag.web.layout). A click on a link the server
// rendered with href "#cite-<turn>-<n>" (a citation) or "#article-<id>" (an article in the sources
// list) is handed to the server: its target goes into the hidden #open-target box and the hidden
// #open-button is clicked, which renders that article in the side panel.
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest('a[href^="#cite-"], a[href^="#article-"]');
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const box = document.querySelector("#open-target textarea, #open-target input");
  const button = document.querySelector("#open-button");
  if (!box || !button) return;
  box.value = link.getAttribute("href").slice(1);
  box.dispatchEvent(new Event("input", { bubbles: true }));
  setTimeout(() => button.click(), 0);
}, true);
