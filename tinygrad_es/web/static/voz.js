// Página "Di un dígito": escucha el micrófono, corta cada palabra, la envía a /api/voz como WAV
// y muestra el espectrograma que vio la red y sus probabilidades. JavaScript sin bibliotecas.
"use strict";

const botonEscuchar = document.getElementById("escuchar");
const botonParar = document.getElementById("parar");
const fichero = document.getElementById("fichero");
const estado = document.getElementById("estado");
const nivel = document.getElementById("nivel");
const prediccion = document.getElementById("prediccion");
const probabilidades = document.getElementById("probabilidades");
const espectrograma = document.getElementById("espectrograma");
const historial = document.getElementById("historial");
const detalles = document.getElementById("detalles");

const TROZO = 1024;            // muestras por bloque del procesador de audio (~23 ms a 44,1 kHz)
const PREVIO_S = 0.2;          // audio que se guarda antes de que empiece la voz
const SILENCIO_FIN_S = 0.35;   // silencio que cierra una palabra
const MAX_PALABRA_S = 2.5;     // una palabra más larga se corta aquí
const MIN_VOZ_S = 0.08;        // menos que esto es un ruido suelto, no una palabra

let micro = null;              // {stream, ctx, proc, fuente}
let cola = Promise.resolve();  // las palabras se envían de una en una, en orden
let n = 0;                     // predicciones mostradas

// ---------------------------------------------------------------- detectar palabras
function nuevoDetector(sr) {
  const porSegundo = sr / TROZO;
  return {
    sr, ruido: null, previos: [], palabra: null, silencio: 0, voz: 0,
    maxPrevios: Math.ceil(PREVIO_S * porSegundo),
    finSilencio: Math.ceil(SILENCIO_FIN_S * porSegundo),
    maxTrozos: Math.ceil(MAX_PALABRA_S * porSegundo),
    minVoz: Math.ceil(MIN_VOZ_S * porSegundo),
  };
}

function rms(x) {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s / x.length);
}

// Un bloque de audio: decide si empieza, sigue o termina una palabra (umbral sobre el ruido de fondo).
function procesar(d, x) {
  const e = rms(x);
  dibujarNivel(e);
  if (d.ruido === null) d.ruido = e;
  const umbral = Math.max(0.01, 3 * d.ruido);
  if (!d.palabra) {
    d.ruido = 0.95 * d.ruido + 0.05 * Math.min(e, umbral);   // el ruido sólo se aprende en silencio
    if (e > umbral) {
      d.palabra = d.previos.slice();
      d.palabra.push(x);
      d.silencio = 0;
      d.voz = 1;
      d.previos = [];
      estado.textContent = "Te escucho…";
    } else {
      d.previos.push(x);
      if (d.previos.length > d.maxPrevios) d.previos.shift();
    }
    return;
  }
  d.palabra.push(x);
  if (e > 0.6 * umbral) { d.silencio = 0; d.voz++; } else d.silencio++;
  if (d.silencio >= d.finSilencio || d.palabra.length >= d.maxTrozos) {
    const trozos = d.palabra;
    const voz = d.voz;
    d.palabra = null;
    if (voz >= d.minVoz) enviarPalabra(trozos, d.sr);
    estado.textContent = "Escuchando: di un dígito.";
  }
}

function juntar(trozos) {
  const total = trozos.reduce((a, t) => a + t.length, 0);
  const out = new Float32Array(total);
  let k = 0;
  for (const t of trozos) { out.set(t, k); k += t.length; }
  return out;
}

// ---------------------------------------------------------------- WAV de 16 bits
function wav(muestras, sr) {
  const datos = muestras.length * 2;
  const buf = new ArrayBuffer(44 + datos);
  const v = new DataView(buf);
  const texto = (p, s) => { for (let i = 0; i < s.length; i++) v.setUint8(p + i, s.charCodeAt(i)); };
  texto(0, "RIFF"); v.setUint32(4, 36 + datos, true); texto(8, "WAVE");
  texto(12, "fmt "); v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, 1, true);
  v.setUint32(24, sr, true); v.setUint32(28, sr * 2, true); v.setUint16(32, 2, true); v.setUint16(34, 16, true);
  texto(36, "data"); v.setUint32(40, datos, true);
  for (let i = 0; i < muestras.length; i++) {
    const s = Math.max(-1, Math.min(1, muestras[i]));
    v.setInt16(44 + 2 * i, Math.round(s * 32767), true);
  }
  return new Blob([buf], { type: "audio/wav" });
}

// ---------------------------------------------------------------- la API
function enviarPalabra(trozos, sr) {
  const fin = performance.now();
  const cuerpo = wav(juntar(trozos), sr);
  cola = cola.then(() => preguntar(cuerpo, fin));
}

async function preguntar(cuerpo, fin) {
  try {
    const r = await fetch("/api/voz", { method: "POST", headers: { "Content-Type": "audio/wav" }, body: cuerpo });
    const datos = await r.json();
    if (!r.ok) throw new Error(datos.error || `error ${r.status}`);
    mostrar(datos, performance.now() - fin);
  } catch (e) {
    estado.textContent = "Error: " + e.message;
    estado.classList.add("error");
  }
}

// ---------------------------------------------------------------- resultados
function mostrar(d, ms) {
  n++;
  estado.classList.remove("error");
  prediccion.textContent = d.clase;
  prediccion.dataset.n = n;
  prediccion.dataset.ms = ms.toFixed(0);
  probabilidades.innerHTML = "";
  d.probabilidades.forEach((p, i) => {
    const fila = document.createElement("div");
    fila.className = "fila" + (i === d.clase ? " mejor" : "");
    fila.innerHTML = `<span class="digito">${i}</span><span class="fondo"><span class="barra" style="width:${
      (100 * p).toFixed(1)}%"></span></span><span class="valor">${(100 * p).toFixed(1)} %</span>`;
    probabilidades.appendChild(fila);
  });
  dibujarEspectrograma(d.espectrograma);
  const li = document.createElement("li");
  li.dataset.clase = d.clase;
  li.textContent = `${d.clase}  (${(100 * d.probabilidades[d.clase]).toFixed(0)} %)`;
  historial.appendChild(li);
  historial.dataset.n = n;
  detalles.textContent = `Audio de ${d.duracion} s a ${d.frecuencia} Hz; voz: ${d.duracion_voz} s. ` +
    `El servidor tardó ${d.ms} ms.`;
}

// Mapa de color "magma" aproximado: negro → morado → naranja → amarillo claro.
function color(t) {
  const pts = [[0, 0, 4], [81, 18, 124], [183, 55, 121], [252, 137, 97], [252, 253, 191]];
  const x = Math.max(0, Math.min(1, t)) * (pts.length - 1);
  const i = Math.min(pts.length - 2, Math.floor(x));
  const f = x - i;
  return pts[i].map((a, k) => Math.round(a + f * (pts[i + 1][k] - a)));
}

function dibujarEspectrograma(m) {
  const filas = m.length, cols = m[0].length;
  const c = espectrograma.getContext("2d");
  const img = c.createImageData(cols, filas);
  let lo = Infinity, hi = -Infinity;
  for (const f of m) for (const v of f) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  for (let i = 0; i < filas; i++) {
    for (let j = 0; j < cols; j++) {
      const [r, g, b] = color((m[i][j] - lo) / (hi - lo || 1));
      const k = 4 * ((filas - 1 - i) * cols + j);      // graves abajo
      img.data[k] = r; img.data[k + 1] = g; img.data[k + 2] = b; img.data[k + 3] = 255;
    }
  }
  const tmp = document.createElement("canvas");
  tmp.width = cols; tmp.height = filas;
  tmp.getContext("2d").putImageData(img, 0, 0);
  c.imageSmoothingEnabled = false;
  c.drawImage(tmp, 0, 0, espectrograma.width, espectrograma.height);
}

function dibujarNivel(e) {
  const c = nivel.getContext("2d");
  c.clearRect(0, 0, nivel.width, nivel.height);
  const db = 20 * Math.log10(Math.max(e, 1e-4));          // de −80 a 0 dB
  c.fillStyle = db > -30 ? "#d9534f" : "#4a7bd0";
  c.fillRect(0, 0, nivel.width * Math.max(0, (db + 80) / 80), nivel.height);
}

// ---------------------------------------------------------------- micrófono
async function escuchar() {
  if (micro) return;
  try {
    const stream = await navigator.mediaDevices.getUserMedia(
      { audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
    const ctx = new AudioContext();
    const fuente = ctx.createMediaStreamSource(stream);
    const proc = ctx.createScriptProcessor(TROZO, 1, 1);
    const mudo = ctx.createGain();
    mudo.gain.value = 0;                     // el procesador necesita una salida, pero no queremos eco
    const det = nuevoDetector(ctx.sampleRate);
    proc.onaudioprocess = (e) => procesar(det, new Float32Array(e.inputBuffer.getChannelData(0)));
    fuente.connect(proc); proc.connect(mudo); mudo.connect(ctx.destination);
    micro = { stream, ctx, proc, fuente };
    botonEscuchar.disabled = true;
    botonParar.disabled = false;
    estado.classList.remove("error");
    estado.textContent = "Escuchando: di un dígito.";
  } catch (e) {
    estado.textContent = "No se puede usar el micrófono: " + e.message;
    estado.classList.add("error");
  }
}

function parar() {
  if (!micro) return;
  micro.proc.disconnect(); micro.fuente.disconnect();
  micro.stream.getTracks().forEach((t) => t.stop());
  micro.ctx.close();
  micro = null;
  botonEscuchar.disabled = false;
  botonParar.disabled = true;
  estado.textContent = "Micrófono parado.";
}

botonEscuchar.addEventListener("click", escuchar);
botonParar.addEventListener("click", parar);
fichero.addEventListener("change", () => {
  const f = fichero.files[0];
  if (!f) return;
  const fin = performance.now();
  cola = cola.then(() => preguntar(f, fin));
});
