// MLCardiac page: upload (drag and drop or file chooser) → POST /api/segment → viewer (NiiVue) + indices.
// No framework and no network access beyond this server: NiiVue is bundled into lib/ at build time.
'use strict';

const $ = (id) => document.getElementById(id);
const state = (s) => { document.body.dataset.state = s; };
const fmt = (v, digits = 1) => (v === null || v === undefined || Number.isNaN(v)) ? '—' : Number(v).toFixed(digits);
const LABEL_COLORS = { R: [0, 230, 30, 40], G: [0, 40, 200, 100], B: [0, 40, 30, 255], A: [0, 255, 255, 255], I: [0, 1, 2, 3], labels: ['background', 'LV', 'MYO', 'RV'] };

let nv = null;
let current = null; // { response, imageUrl, nz, frames }

async function loadModel() {
  try {
    const r = await fetch('api/models');
    const [m] = await r.json();
    let text = `model ${m.id} — trained on ${m.trainVendors.join(', ') || '?'}, ${m.inputSize}×${m.inputSize} at ${m.spacingMm} mm`;
    if (m.scannerVendors.length) text += `; scanner check knows ${m.scannerVendors.join(', ')}`;
    $('model').textContent = text;
  } catch (e) {
    $('model').textContent = 'model information unavailable';
  }
}

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = false;
  $('progress').hidden = true;
  state('error');
}

function upload(file) {
  $('error').hidden = true;
  $('warning').hidden = true;
  $('progress').hidden = false;
  $('bar').value = 0;
  $('progressText').textContent = 'uploading…';
  state('uploading');
  const form = new FormData();
  form.append('file', file, 'upload');
  for (const f of ['ed', 'es']) if ($(f).value !== '') form.append(f, $(f).value);
  const xhr = new XMLHttpRequest();
  xhr.open('POST', 'api/segment');
  xhr.responseType = 'json';
  xhr.upload.onprogress = (e) => {
    if (!e.lengthComputable) return;
    $('bar').value = Math.round(100 * e.loaded / e.total);
    $('progressText').textContent = `uploading ${Math.round(100 * e.loaded / e.total)} %`;
  };
  xhr.upload.onload = () => {
    $('bar').removeAttribute('value'); // indeterminate while the server segments
    $('progressText').textContent = 'segmenting…';
    state('segmenting');
  };
  xhr.onerror = () => showError('The server could not be reached.');
  xhr.onload = () => {
    const body = xhr.response;
    if (xhr.status !== 200) {
      showError(body && (body.detail || body.title) ? `${body.title}: ${body.detail || ''}` : `The server answered ${xhr.status}.`);
      return;
    }
    $('progress').hidden = true;
    show(file, body).catch((e) => showError(`The viewer failed: ${e.message || e}`));
  };
  xhr.send(form);
}

function fillTables(r) {
  const ind = $('indices').querySelector('tbody');
  ind.innerHTML = '';
  const rows = r.indices ? [
    ['LV end-diastolic volume', fmt(r.indices.lvEdvMl), 'ml'],
    ['LV end-systolic volume', fmt(r.indices.lvEsvMl), 'ml'],
    ['LV ejection fraction', fmt(r.indices.lvEfPercent), '%'],
    ['RV end-diastolic volume', fmt(r.indices.rvEdvMl), 'ml'],
    ['RV end-systolic volume', fmt(r.indices.rvEsvMl), 'ml'],
    ['RV ejection fraction', fmt(r.indices.rvEfPercent), '%'],
    ['LV mass (ED)', fmt(r.indices.lvMassG), 'g'],
    ['ED / ES frames', `${r.ed} / ${r.es}`, r.frameSource],
  ] : [['single frame', 'volumes below', '']];
  for (const [name, value, unit] of rows) {
    const tr = ind.insertRow();
    tr.insertCell().textContent = name;
    const td = tr.insertCell(); td.textContent = value; td.className = 'value';
    tr.insertCell().textContent = unit;
  }
  const fr = $('frames').querySelector('tbody');
  fr.innerHTML = '';
  for (const f of r.frames) {
    const tr = fr.insertRow();
    if (f.role) tr.className = f.role.toLowerCase();
    for (const v of [f.frame, f.role || '', fmt(f.lvMl), fmt(f.myoMl), fmt(f.rvMl), fmt(f.lvMassG)]) tr.insertCell().textContent = v;
  }
  const badge = $('badge');
  if (r.quality && r.quality.length) {
    const flagged = r.quality.filter(q => q.flagged);
    badge.hidden = false;
    badge.className = 'badge ' + (flagged.length ? 'review' : 'ok');
    badge.textContent = flagged.length ? 'Review this segmentation' : 'Quality check passed';
    const dice = q => ['LV', 'MYO', 'RV'].map(s => `${s} ${fmt(q.predictedDice[s].predicted, 2)} (${fmt(q.predictedDice[s].low, 2)}–${fmt(q.predictedDice[s].high, 2)})`).join(', ');
    const worst = r.quality.reduce((a, b) => (b.flagged && !a.flagged) || b.shiftScore > a.shiftScore ? b : a);
    $('quality-text').textContent = flagged.length
      ? `${flagged[0].reasons[0]} Predicted Dice (frame ${flagged[0].frame}): ${dice(flagged[0])}.`
      : `Predicted Dice (frame ${worst.frame}): ${dice(worst)}; scan within the training scanners' range (shift ${fmt(worst.shiftScore, 1)} ≤ ${fmt(worst.shiftThreshold, 1)}).`;
    badge.title = flagged.flatMap(q => q.reasons).join('\n');
  } else {
    badge.hidden = true;
    $('quality-text').textContent = 'No quality check (the model was fitted without a quality-control stage).';
  }
  if (r.scanner) {
    $('scanner').textContent = `Scanner check: most like vendor ${r.scanner.vendor} (confidence ${fmt(r.scanner.confidence, 2)}, threshold ${fmt(r.scanner.threshold, 2)})`;
  } else {
    $('scanner').textContent = 'No scanner check (the server runs without a vendor classifier).';
  }
  if (r.warnings.length) {
    $('warning').textContent = r.warnings.join(' ');
    $('warning').hidden = false;
  }
  $('download').href = r.labelsUrl.replace(/^\//, '');
  const t = r.timingsMs;
  $('timings').textContent = `server time ${fmt(t.total, 0)} ms (read ${fmt(t.read, 0)}, queue ${fmt(t.queue, 0)}, segment ${fmt(t.segment, 0)}, classify ${fmt(t.classify, 0)}, quality ${fmt(t.quality, 0)}, encode ${fmt(t.encode, 0)})`;
}

async function show(file, r) {
  $('result').hidden = false;
  fillTables(r);
  const nz = r.image.shape[2], frames = r.image.frames;
  $('slice').max = nz - 1; $('slice').value = Math.floor(nz / 2);
  $('frame').max = frames - 1; $('frame').value = r.ed ?? 0;
  $('frame').disabled = frames < 2;
  if (typeof niivue === 'undefined') {
    $('noviewer').hidden = false;
    $('glbox').hidden = true;
    state('ready');
    return;
  }
  if (!nv) {
    nv = new niivue.Niivue({ backColor: [0, 0, 0, 1], show3Dcrosshair: false, isColorbar: false, crosshairWidth: 0, loadingText: '' });
    await nv.attachToCanvas($('gl'));
    nv.setSliceType(nv.sliceTypeAxial);
  }
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  const gz = head[0] === 0x1f && head[1] === 0x8b;
  if (current && current.imageUrl) URL.revokeObjectURL(current.imageUrl);
  const imageUrl = URL.createObjectURL(file);
  current = { response: r, imageUrl, nz, frames };
  await nv.loadVolumes([
    { url: imageUrl, name: gz ? 'scan.nii.gz' : 'scan.nii', colormap: 'gray' },
    { url: r.labelsUrl.replace(/^\//, ''), name: 'labels.nii.gz', opacity: $('opacity').value / 100 },
  ]);
  nv.volumes[1].setColormapLabel(LABEL_COLORS);
  nv.setOpacity(1, $('opacity').value / 100);
  nv.updateGLVolume();
  setFrame();
  setSlice();
  state('ready');
}

function setSlice() {
  const z = Number($('slice').value);
  $('sliceText').textContent = `${z + 1} / ${current ? current.nz : 0}`;
  if (!nv || !current) return;
  nv.scene.crosshairPos = [0.5, 0.5, (z + 0.5) / current.nz];
  nv.drawScene();
}

function setFrame() {
  const f = Number($('frame').value);
  const r = current && current.response;
  const role = r && f === r.ed ? ' (ED)' : r && f === r.es ? ' (ES)' : '';
  $('frameText').textContent = `${f}${role}`;
  if (!nv || !current || current.frames < 2) return;
  for (const v of nv.volumes) nv.setFrame4D(v.id, f);
}

function init() {
  const drop = $('drop'), input = $('file');
  drop.addEventListener('click', (e) => { if (e.target.tagName !== 'INPUT') input.click(); });
  drop.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') input.click(); });
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer.files.length) upload(e.dataTransfer.files[0]);
  });
  input.addEventListener('change', () => { if (input.files.length) upload(input.files[0]); input.value = ''; });
  $('slice').addEventListener('input', setSlice);
  $('frame').addEventListener('input', setFrame);
  $('opacity').addEventListener('input', () => {
    if (nv && nv.volumes.length > 1) { nv.setOpacity(1, $('opacity').value / 100); }
  });
  loadModel();
}

init();
