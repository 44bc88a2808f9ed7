// The bill page: everything it may do is authorised by the signed link in its own address.
(() => {
  const token = location.pathname.split('/').filter(Boolean)[1];
  const params = new URLSearchParams(location.search);
  const base = `/b/${encodeURIComponent(token)}`;
  const $ = id => document.getElementById(id);
  const vnd = n => new Intl.NumberFormat('vi-VN').format(n) + 'đ';
  let anonymousId = localStorage.getItem('o2o_aid');
  if (!anonymousId) {
    anonymousId = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2));
    localStorage.setItem('o2o_aid', anonymousId);
  }
  let stars = 0;

  const show = (id, on = true) => { $(id).hidden = !on; };
  const fail = text => { $('error').textContent = text; show('error'); };
  const clearError = () => show('error', false);

  async function call(method, path, body) {
    const response = await fetch(base + path, {
      method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined,
    });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) {
      const field = json.errors ? Object.values(json.errors)[0]?.[0] : null;
      throw new Error(field || json.detail || json.title || 'Đã có lỗi xảy ra. Vui lòng thử lại.');
    }
    return json;
  }

  function shopLink(url) {
    if (!url) return;
    $('shop-link').href = url;
    show('shop-link');
  }

  async function load() {
    const query = new URLSearchParams({ aid: anonymousId });
    if (params.get('m')) query.set('m', params.get('m'));
    let order;
    try { order = await call('GET', `/order?${query}`); } catch (e) { fail(e.message); return; }
    $('order-id').textContent = `Đơn ${order.orderId}`;
    $('order-store').textContent = order.storeId ?? 'Online';
    $('order-time').textContent = new Date(order.placedAt).toLocaleString('vi-VN');
    $('order-items').replaceChildren(...order.items.map(i => {
      const li = document.createElement('li');
      li.textContent = `${i.name} × ${i.quantity} — ${vnd(i.price)}`;
      return li;
    }));
    $('order-total').textContent = vnd(order.total);
    $('points-offer').textContent = `Nhận ${order.pointsToCollect} điểm cho đơn này, thêm ${order.reviewPoints} điểm khi đánh giá.`;
    show('order');
    if (!order.reviewed) show('review'); else { show('review'); show('send-review', false); show('stars', false); show('comment', false); show('review-done'); }
    if (order.identified) {
      $('linked').textContent = `Đơn hàng đã được liên kết với số ${order.maskedPhone}.`;
      show('linked');
      show('done');
      $('result').textContent = 'Điểm của đơn này đã được cộng vào tài khoản của bạn.';
      shopLink(order.shopUrl);
    } else {
      show('collect');
    }
  }

  document.querySelectorAll('#stars button').forEach(b => b.addEventListener('click', () => {
    stars = Number(b.dataset.stars);
    document.querySelectorAll('#stars button').forEach(x => x.classList.toggle('on', Number(x.dataset.stars) <= stars));
  }));

  $('send-review').addEventListener('click', async () => {
    clearError();
    if (!stars) { fail('Vui lòng chọn số sao.'); return; }
    try {
      await call('POST', '/review', { stars, comment: $('comment').value || null });
      show('send-review', false); show('review-done');
    } catch (e) { fail(e.message); }
  });

  $('send-code').addEventListener('click', async () => {
    clearError();
    $('send-code').disabled = true;
    try {
      const sent = await call('POST', '/code', { phone: $('phone').value });
      $('code-sent').textContent = `Mã xác nhận đã được gửi tới ${sent.maskedPhone} qua ${sent.channel === 'Zns' ? 'Zalo' : 'SMS'}.`;
      show('code-step');
      setTimeout(() => { $('send-code').disabled = false; $('send-code').textContent = 'Gửi lại mã'; }, sent.resendAfterSeconds * 1000);
    } catch (e) { fail(e.message); $('send-code').disabled = false; }
  });

  $('verify').addEventListener('click', async () => {
    clearError();
    try {
      const done = await call('POST', '/verify', { phone: $('phone').value, code: $('code').value, anonymousId });
      show('collect', false);
      $('result').textContent = `Bạn đã nhận ${done.pointsEarned} điểm. Tổng điểm hiện có: ${done.balance}.`;
      show('done');
      shopLink(done.shopUrl);
      document.dispatchEvent(new CustomEvent('o2o:verified'));
    } catch (e) { fail(e.message); }
  });

  load();
})();
