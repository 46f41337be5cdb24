// The hall's screens (templates/display/layout.html): the board, the screen above a counter and
// the counter's rating pad. Each follows the hall's event stream, shows whether it is connected,
// opens a new stream by itself when one is lost for good, and reads its whole state again every
// time a stream opens: events sent while it was away are not lost on it.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };

  // The time and date in the center's time zone, not the device's.
  var clock = $('clock'), date = $('date');
  if (clock) {
    var zone = clock.dataset.zone || undefined, timeFmt, dateFmt;
    try {
      timeFmt = new Intl.DateTimeFormat('zh-CN', {hour: '2-digit', minute: '2-digit', hour12: false, timeZone: zone});
      dateFmt = new Intl.DateTimeFormat('zh-CN', {month: 'long', day: 'numeric', weekday: 'long', timeZone: zone});
    } catch (e) {
      timeFmt = new Intl.DateTimeFormat('zh-CN', {hour: '2-digit', minute: '2-digit', hour12: false});
      dateFmt = new Intl.DateTimeFormat('zh-CN', {month: 'long', day: 'numeric', weekday: 'long'});
    }
    var tick = function () {
      var d = new Date();
      clock.textContent = timeFmt.format(d);
      clock.setAttribute('datetime', d.toISOString());
      if (date) date.textContent = dateFmt.format(d);
    };
    tick();
    setInterval(tick, 10000);
  }

  // follow listens to the hall's events. opened runs on every (re)connection, to read the state.
  // The browser retries a dropped stream itself; a stream it gave up on (an error answer from a
  // proxy, say) is opened again here, waiting longer each time up to 30 s.
  function follow(hall, handlers, opened) {
    var conn = $('conn'), wait = 2000;
    var show = function (ok) {
      if (!conn) return;
      conn.textContent = ok ? '实时更新中' : '连接中断，正在重连…';
      conn.classList.toggle('d-off', !ok);
    };
    var start = function () {
      var es = new EventSource('/api/v1/halls/' + encodeURIComponent(hall) + '/events');
      es.onopen = function () { wait = 2000; show(true); opened(); };
      es.onerror = function () {
        show(false);
        if (es.readyState === EventSource.CLOSED) {
          setTimeout(start, wait);
          wait = Math.min(wait * 2, 30000);
        }
      };
      Object.keys(handlers).forEach(function (type) {
        es.addEventListener(type, function (e) { handlers[type](JSON.parse(e.data)); });
      });
    };
    start();
  }

  function getJSON(url) {
    return fetch(url, {cache: 'no-store', credentials: 'same-origin'}).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    });
  }

  // later runs fn once after a burst of calls (a busy hall sends many events a second).
  function later(fn, ms) {
    var timer = null;
    return function () {
      if (timer) return;
      timer = setTimeout(function () { timer = null; fn(); }, ms);
    };
  }

  // shrink makes el's text smaller until it fits the width of its box, not below min pixels;
  // wide is a class that lets it wrap when even min is too wide.
  function shrink(el, min, wide) {
    el.style.fontSize = '';
    if (wide) el.classList.remove(wide);
    var size = parseFloat(getComputedStyle(el).fontSize);
    while (el.scrollWidth > el.clientWidth + 1 && size > min) {
      size = Math.max(min, size * 0.92);
      el.style.fontSize = size + 'px';
    }
    if (wide) el.classList.toggle(wide, el.scrollWidth > el.clientWidth + 1);
  }

  var board = $('display');
  if (board) {
    var state = JSON.parse(board.dataset.board);
    var hall = board.dataset.hall;
    var atCounter = function (c) { return c.status === 'called' || c.status === 'serving'; };
    // eta is queue.LineWaitText: the board's waiting count moves with the hall's events.
    var eta = function (s) {
      if (!s.waiting) return '无需等候';
      if (!s.estimated_wait_minutes) return '不足 1 分钟';
      return '约 ' + s.estimated_wait_minutes + ' 分钟';
    };
    var fitCall = function () {
      shrink($('now-number'), 96);
      shrink($('now-counter').parentNode, 96, 'd-long');
    };

    // The same rule as displayCalls (web/hall.go): the call now is the latest while its ticket is
    // at the counter; below it the five calls before.
    var renderCalls = function (fresh) {
      var calls = state.calls || [];
      var cur = calls.length && atCounter(calls[0]) ? calls[0] : null;
      var recent = calls.slice(cur ? 1 : 0, (cur ? 1 : 0) + 5);
      $('now').hidden = !cur;
      $('idle').hidden = !!cur;
      if (cur) {
        $('now-number').textContent = cur.number;
        $('now-counter').textContent = cur.counter_name || cur.counter;
        $('now-green').hidden = cur.priority !== 'green';
        $('now-recall').hidden = !cur.recall;
        fitCall();
        if (fresh) {
          var panel = $('now').parentNode;
          panel.classList.remove('d-fresh');
          void panel.offsetWidth; // restart the animation
          panel.classList.add('d-fresh');
        }
      }
      var list = $('calls');
      list.textContent = '';
      recent.forEach(function (c) {
        var li = document.createElement('li'), n = document.createElement('span'), to = document.createElement('span');
        li.dataset.number = c.number;
        n.className = 'd-n';
        n.textContent = c.number;
        to.className = 'd-c';
        to.textContent = c.counter_name || c.counter;
        li.appendChild(n);
        li.appendChild(to);
        list.appendChild(li);
      });
      var none = $('calls-none');
      none.hidden = recent.length > 0;
      none.textContent = cur ? '暂无其他叫号' : '今天还没有叫号';
    };

    var fitLines = function () {
      var box = $('lines-fit'), table = box.firstElementChild;
      table.style.fontSize = '';
      var size = parseFloat(getComputedStyle(table).fontSize);
      while (table.offsetHeight > box.clientHeight && size > 12) {
        size *= 0.92;
        table.style.fontSize = size + 'px';
      }
    };
    var renderLines = function () {
      var shown = Array.prototype.map.call(document.querySelectorAll('#lines tr'), function (tr) { return tr.dataset.service; });
      var codes = (state.services || []).map(function (s) { return s.code; });
      if (shown.join() !== codes.join()) { location.reload(); return; } // lines were added or removed
      state.services.forEach(function (s) {
        $('waiting-' + s.code).textContent = s.waiting + ' 人';
        $('eta-' + s.code).textContent = eta(s);
      });
    };

    // Speech: browsers speak only after a touch or a click on the page (a TV's browser can be
    // started with --autoplay-policy=no-user-gesture-required, and ?voice=1 turns it on).
    var voice = false, voiceBtn = $('voice');
    var setVoice = function (on) {
      voice = on;
      voiceBtn.textContent = on ? '关闭语音播报' : '开启语音播报';
      voiceBtn.setAttribute('aria-pressed', on ? 'true' : 'false');
      try { localStorage.setItem('banhao-voice', on ? '1' : ''); } catch (e) { /* private mode */ }
    };
    voiceBtn.addEventListener('click', function () {
      setVoice(!voice);
      if (voice && window.speechSynthesis) speechSynthesis.speak(new SpeechSynthesisUtterance('语音播报已开启'));
    });
    var wanted = /[?&]voice=1\b/.test(location.search);
    try { wanted = wanted || localStorage.getItem('banhao-voice') === '1'; } catch (e) { /* private mode */ }
    setVoice(wanted);
    var digits = '零一二三四五六七八九';
    var spoken = function (number) { return number.replace(/[0-9]/g, function (d) { return digits[+d]; }); };
    var speak = function (c) {
      if (!voice || !window.speechSynthesis) return;
      var u = new SpeechSynthesisUtterance('请' + spoken(c.number) + '号到' + (c.counter_name || c.counter + '号窗口') + '办理');
      u.lang = 'zh-CN';
      speechSynthesis.speak(u);
    };

    var reload = function () {
      getJSON('/api/v1/halls/' + encodeURIComponent(hall) + '/board').then(function (b) {
        state = b;
        renderCalls(false);
        renderLines();
        fitLines();
      }).catch(function () { setTimeout(reload, 5000); });
    };
    var linesLater = later(function () {
      getJSON('/api/v1/halls/' + encodeURIComponent(hall) + '/board').then(function (b) {
        state.services = b.services;
        renderLines();
      }).catch(function () { /* the next event or reconnection reads them again */ });
    }, 1000);
    var ended = function (t) {
      var changed = false;
      (state.calls || []).forEach(function (c) {
        if (c.ticket === t.ticket && c.status !== t.status) { c.status = t.status; changed = true; }
      });
      if (changed) renderCalls(false);
    };

    fitCall();
    fitLines();
    window.addEventListener('resize', function () { fitCall(); fitLines(); });
    follow(hall, {
      call: function (c) {
        c.status = 'called';
        state.calls = [c].concat((state.calls || []).filter(function (o) { return o.ticket !== c.ticket; })).slice(0, 10);
        renderCalls(true);
        speak(c);
      },
      finish: ended,
      ticket: ended,
      queue: linesLater
    }, reload);
    setInterval(reload, 5 * 60 * 1000); // estimates move with time; a new day starts empty
  }

  // The screen above a counter: the number called to it, 欢迎光临 when none, 暂停服务 when closed.
  var screen = $('screen');
  if (screen) {
    var counter = screen.dataset.screenCounter;
    var show = function (sc) {
      var serving = sc.open && sc.number;
      $('serving').hidden = !serving;
      $('screen-idle').hidden = !sc.open || !!sc.number;
      $('screen-closed').hidden = sc.open;
      $('counter-name').textContent = sc.name;
      $('current').textContent = sc.number || '';
      $('serving-label').textContent = sc.status === 'serving' ? '正在办理' : '请到本窗口办理';
      if (serving) shrink($('current'), 96);
    };
    var read = function () {
      getJSON('/api/v1/counters/' + encodeURIComponent(counter) + '/screen').then(show).catch(function () { setTimeout(read, 5000); });
    };
    var mine = function (d) { if (d.counter === counter) read(); };
    follow(screen.dataset.hall, {call: mine, finish: mine, ticket: mine, counter: mine}, read);
  }

  // The rating pad: the grant to rate the counter's last visit comes only to this counter's
  // registered pad, with the page and from /api/v1/counters/{id}/pad, read when the pad opens,
  // whenever its stream reconnects and when the counter finishes a visit; it lapses when its
  // time is up.
  var pad = $('pad');
  if (pad) {
    var padCounter = pad.dataset.rateCounter;
    var ask = $('ask'), idleBox = $('idle'), thanks = $('thanks'), failed = $('rate-error');
    var levels = document.querySelectorAll('[data-level]');
    var grant = null, lapse = null, rest = null;
    var state0 = function () {
      if (!ask.dataset.grantTicket) return null;
      return {ticket: ask.dataset.grantTicket, token: ask.dataset.grantToken, number: $('rate-number').textContent, expires_in: +ask.dataset.expiresIn || 0};
    };
    var showGrant = function (g) {
      clearTimeout(lapse);
      grant = g;
      Array.prototype.forEach.call(levels, function (b) { b.disabled = false; });
      if (g && rest === null) {
        $('rate-number').textContent = g.number;
        ask.hidden = false;
        idleBox.hidden = true;
        thanks.hidden = true;
        failed.hidden = true;
        if (g.expires_in > 0) lapse = setTimeout(function () { showGrant(null); }, g.expires_in * 1000);
      } else if (rest === null) {
        ask.hidden = true;
        idleBox.hidden = !pad.hasAttribute('data-registered');
        $('rate-comment').value = '';
      }
    };
    var readPad = function () {
      if (!pad.hasAttribute('data-registered')) return;
      fetch('/api/v1/counters/' + encodeURIComponent(padCounter) + '/pad', {cache: 'no-store', credentials: 'same-origin'})
        .then(function (r) {
          if (r.status === 403) { location.reload(); return null; } // taken out of service: the page says so
          if (!r.ok) throw new Error(r.status);
          return r.json();
        })
        .then(function (st) {
          if (st) showGrant(st.grant ? {ticket: st.grant.ticket, token: st.grant.token, number: st.grant.number, expires_in: st.expires_in} : null);
        })
        .catch(function () { setTimeout(readPad, 5000); });
    };
    // After a rating, the thanks (or the reason it failed) stay for a few seconds; then the pad
    // reads its state again.
    var pause = function (box) {
      ask.hidden = true;
      box.hidden = false;
      rest = setTimeout(function () { rest = null; box.hidden = true; showGrant(null); readPad(); }, 5000);
    };
    Array.prototype.forEach.call(levels, function (b) {
      b.addEventListener('click', function () {
        if (!grant) return;
        var g = grant;
        grant = null;
        Array.prototype.forEach.call(levels, function (o) { o.disabled = true; });
        fetch('/api/v1/ratings', {method: 'POST', headers: {'Content-Type': 'application/json'},
          body: JSON.stringify({ticket: g.ticket, token: g.token, level: +b.dataset.level, comment: $('rate-comment').value, channel: 'counter'})})
          .then(function (r) {
            if (r.ok) return pause(thanks);
            return r.json().then(function (p) { failed.textContent = '评价未能提交：' + (p.detail || p.title); pause(failed); });
          })
          .catch(function () { failed.textContent = '评价未能提交：网络中断，请稍后再试'; pause(failed); });
      });
    });
    showGrant(state0());
    follow(pad.dataset.hall, {
      finish: function (t) { if (t.counter === padCounter) readPad(); }
    }, readPad);
  }
})();
