// Runs in the article panel (gr.HTML js_on_load): after each new article is rendered, bring the
// marked quote into view, or the top of the article when nothing is marked.
watch('value', () => {
  const mark = element.querySelector('mark#cited-quote');
  if (mark) {
    mark.scrollIntoView({ block: 'center', behavior: 'instant' });
  } else {
    const text = element.querySelector('.article-text');
    if (text) text.scrollTop = 0;
  }
});
