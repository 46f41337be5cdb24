// The pages' behaviour. The Content-Security-Policy allows no inline script, so every page loads
// this one file and each part below wakes only where its element is on the page; the template
// hands over its data in data-* attributes.
(function () {
  'use strict';
  function each(sel, fn) { Array.prototype.forEach.call(document.querySelectorAll(sel), fn); }
  function hallEvents(hall) { return new EventSource('/api/v1/halls/' + encodeURIComponent(hall) + '/events'); }

  // Buttons that print the page, forms that ask first, links back.
  each('[data-print]', function (b) { b.addEventListener('click', function () { window.print(); }); });
  // The site menu comes open (it works without script); on a phone it folds to one button.
  var phone = window.matchMedia('(max-width: 640px)');
  var fold = function () { each('details[data-menu]', function (d) { d.open = !phone.matches; }); };
  fold();
  phone.addEventListener('change', fold);
  // The apply page's subtitle (online and at the kiosk) and the window's intake heading name the
  // region, the department that decides there and its limit (the region's own implementing
  // item's) — at the window the due day too — as the 审批地 is chosen.
  each('#deciding_region', function (sel) {
    var dept = document.getElementById('apply-dept');
    if (!dept) return;
    var region = document.getElementById('apply-region'), limit = document.getElementById('apply-limit'), due = document.getElementById('apply-due');
    var show = function () {
      var o = sel.options[sel.selectedIndex];
      if (!o || !o.dataset.dept) return;
      dept.textContent = o.dataset.dept;
      if (region && o.dataset.region !== undefined) region.textContent = o.dataset.region ? '审批地：' + o.dataset.region + ' · ' : '';
      if (limit && o.dataset.limit) limit.textContent = o.dataset.limit;
      if (due && o.dataset.due) due.textContent = o.dataset.due;
    };
    sel.addEventListener('change', show);
    sel.addEventListener('input', show);
    show(); // a choice the browser restored (Back) is shown too
  });
  // A printed guide carries what the screen folds away (codes, legal basis).
  window.addEventListener('beforeprint', function () { each('details', function (d) { d.open = true; }); });
  // 在哪里办: order the centers from where the phone is (the button shows only with geolocation).
  each('[data-locate]', function (b) {
    if (!navigator.geolocation) return;
    b.hidden = false;
    b.addEventListener('click', function () {
      b.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        location.href = b.dataset.locate + '?lat=' + pos.coords.latitude.toFixed(5) + '&lng=' + pos.coords.longitude.toFixed(5) + '#where-title';
      }, function () { b.disabled = false; b.textContent = '未能取得位置，请选择所在区县、街道'; }, { timeout: 10000 });
    });
  });
  each('form[data-confirm]', function (f) {
    f.addEventListener('submit', function (e) { if (!confirm(f.dataset.confirm)) e.preventDefault(); });
  });
  each('a[data-back]', function (a) { a.addEventListener('click', function (e) { e.preventDefault(); history.back(); }); });

  // A second tap while the first is on its way would take a second ticket.
  each('form[data-once]', function (form) {
    form.addEventListener('submit', function (e) {
      if (form.dataset.sent) { e.preventDefault(); return; }
      form.dataset.sent = '1';
    });
  });

  // Online forms: a material taken from an electronic certificate needs no upload unless unticked.
  each('.material .use-cert', function (box) {
    box.addEventListener('change', function () { box.closest('.material').querySelector('.upload-instead').hidden = box.checked; });
  });

  // Kiosk: the on-screen keypad types into its field.
  each('.keypad[data-for]', function (pad) {
    var input = document.getElementById(pad.dataset.for);
    pad.addEventListener('click', function (e) {
      var k = e.target.dataset && e.target.dataset.key;
      if (!k) return;
      if (k === '⌫') input.value = input.value.slice(0, -1);
      else if (input.value.length < (+input.maxLength || 18)) input.value += k;
      input.focus();
    });
  });

  // Kiosk: no touch for a while signs out and returns to the start screen.
  var kiosk = document.querySelector('main[data-idle]');
  if (kiosk) {
    var idle = +kiosk.dataset.idle || 60, left = idle;
    var warn = document.getElementById('idle-warning');
    var touch = function () { left = idle; warn.hidden = true; };
    ['pointerdown', 'keydown', 'touchstart', 'input'].forEach(function (e) { document.addEventListener(e, touch, true); });
    setInterval(function () {
      left--;
      if (left <= 5) warn.hidden = false;
      if (left > 0) return;
      var out = document.getElementById('kiosk-logout');
      if (out) { out.submit(); } else { location.href = '/kiosk'; }
      left = idle;
    }, 1000);
  }

  // Counter desk: the waiting counts follow the hall.
  var desk = document.querySelector('[data-desk-hall]');
  if (desk) {
    hallEvents(desk.dataset.deskHall).addEventListener('queue', function (e) {
      var q = JSON.parse(e.data);
      var td = document.getElementById('waiting-' + q.service);
      if (td) td.textContent = q.waiting;
    });
  }

  // A citizen's ticket: the status and the place in the queue follow the hall.
  var card = document.querySelector('[data-ticket]');
  if (card) {
    var t = JSON.parse(card.dataset.ticket);
    var pending = false;
    var refresh = function () {
      if (pending) return;
      pending = true;
      setTimeout(function () {
        fetch('/api/v1/tickets/' + t.id).then(function (r) { return r.json(); }).then(function (n) {
          pending = false;
          if (n.status === 'transferred' && n.transferred_to) { location.href = '/tickets/' + n.transferred_to; return; }
          if (n.status !== t.status && n.status === 'called' && navigator.vibrate) navigator.vibrate([300, 100, 300]);
          t = n;
          var st = document.getElementById('status');
          st.innerHTML = '<strong></strong>';
          st.firstChild.textContent = n.status_name;
          if (n.counter_name && (n.status === 'called' || n.status === 'serving')) { st.appendChild(document.createTextNode('：请到 ')); var b = document.createElement('strong'); b.textContent = n.counter_name; st.appendChild(b); }
          var pos = document.getElementById('position');
          pos.textContent = n.status === 'waiting' ? n.ahead_text + '，预计等候' + n.estimated_wait_text : ''; // queue.AheadText
        }).catch(function () { pending = false; });
      }, 300);
    };
    var tes = hallEvents(t.hall);
    var mine = function (e) { var d = JSON.parse(e.data); if (d.service === t.service || d.ticket === t.id) refresh(); };
    tes.addEventListener('call', mine);
    tes.addEventListener('queue', mine);
    tes.addEventListener('ticket', mine);
    tes.addEventListener('finish', mine);
    tes.onopen = refresh;
  }
})();
