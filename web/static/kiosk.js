// The kiosk's own behaviour (site.js does the keypad, the idle timeout and data-print): the
// clock in the top bar, and printing a document shown in a frame (the 一次性告知单).
(function () {
  'use strict';
  var clock = document.getElementById('kiosk-clock');
  if (clock) {
    // The center's time zone, not the terminal's: a kiosk whose system clock is set to UTC
    // still shows the hall's time.
    var fmt;
    try {
      fmt = new Intl.DateTimeFormat('zh-CN', {hour: '2-digit', minute: '2-digit', hour12: false, timeZone: clock.dataset.zone || undefined});
    } catch (e) {
      fmt = new Intl.DateTimeFormat('zh-CN', {hour: '2-digit', minute: '2-digit', hour12: false});
    }
    var tick = function () {
      var d = new Date();
      clock.textContent = fmt.format(d);
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
