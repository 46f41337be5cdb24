// The kiosk's own behaviour (site.js does the keypad, the idle timeout and data-print): the
// clock in the top bar, and printing a document shown in a frame (the 一次性告知单).
(function () {
  'use strict';
  var clock = document.getElementById('kiosk-clock');
  if (clock) {
    var tick = function () {
      var d = new Date(), two = function (n) { return (n < 10 ? '0' : '') + n; };
      clock.textContent = two(d.getHours()) + ':' + two(d.getMinutes());
      clock.setAttribute('datetime', d.toISOString());
    };
    tick();
    setInterval(tick, 15000);
  }
  Array.prototype.forEach.call(document.querySelectorAll('[data-print-frame]'), function (b) {
    b.addEventListener('click', function () {
      var f = document.getElementById(b.dataset.printFrame);
      try { f.contentWindow.focus(); f.contentWindow.print(); } catch (e) { window.print(); }
    });
  });
})();
