// Materials: the case page shows a PDF or image material in the page (the back office decides
// on what it sees); the online application form asks for a required file unless a certificate,
// a file kept from the draft or 容缺 stands for it.
(function () {
  'use strict';
  function each(sel, fn) { Array.prototype.forEach.call(document.querySelectorAll(sel), fn); }

  var viewer = document.getElementById('material-viewer');
  if (viewer) {
    var frame = document.getElementById('viewer-frame'), img = document.getElementById('viewer-image');
    var title = document.getElementById('viewer-title'), tab = document.getElementById('viewer-tab');
    each('a.material-view', function (a) {
      a.addEventListener('click', function (e) {
        e.preventDefault();
        title.textContent = a.dataset.title;
        tab.href = a.href;
        if (a.dataset.kind === 'image') {
          frame.hidden = true; frame.src = 'about:blank';
          img.alt = a.dataset.title; img.src = a.href; img.hidden = false;
        } else {
          img.hidden = true; img.removeAttribute('src');
          frame.title = a.dataset.title; frame.src = a.href; frame.hidden = false;
        }
        viewer.hidden = false;
        viewer.scrollIntoView({ block: 'start' });
      });
    });
    document.getElementById('viewer-close').addEventListener('click', function () {
      viewer.hidden = true; frame.src = 'about:blank'; img.removeAttribute('src');
    });
  }

  // The application form: a file is required only while nothing else stands for the material.
  each('.material[data-required]', function (card) {
    var input = card.querySelector('input[type=file]');
    if (!input) return;
    function update() {
      var cert = card.querySelector('.use-cert'), later = card.querySelector('.defer-later');
      input.required = !(cert && cert.checked) && !(later && later.checked) && !card.querySelector('input.kept');
    }
    Array.prototype.forEach.call(card.querySelectorAll('.use-cert, .defer-later'), function (box) { box.addEventListener('change', update); });
    update();
  });
})();
