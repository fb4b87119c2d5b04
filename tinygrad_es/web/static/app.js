// Página "Dibuja un número": el lienzo, la llamada a la API y los paneles de resultados.
// JavaScript sin bibliotecas, para que se pueda leer de arriba abajo.
"use strict";

const lienzo = document.getElementById("lienzo");
const ctx = lienzo.getContext("2d");
const prediccion = document.getElementById("prediccion");
const probabilidades = document.getElementById("probabilidades");
const estado = document.getElementById("estado");
const entrada = document.getElementById("entrada");
const atencion = document.getElementById("atencion");

const GROSOR = 18;     // grosor del trazo en píxeles del lienzo (un trazo de MNIST mide ~1/10 del dígito)
const BLOQUE = 4;      // se envía la media de cada bloque de 4×4 píxeles: 280×280 -> 70×70

let trazos = 0;            // trazos terminados en el dibujo actual
let dibujando = false;
let ultimo = null;         // último punto del trazo en curso
let generacion = 0;        // cambia al borrar: así se ignoran respuestas de un dibujo ya borrado
let enVuelo = false;       // hay una petición sin contestar
let pendiente = false;     // hubo trazos nuevos mientras tanto: hay que volver a preguntar
let finTrazo = 0;          // instante (ms) en que terminó el último trazo

// ---------------------------------------------------------------- dibujar
ctx.lineCap = "round";
ctx.lineJoin = "round";
ctx.lineWidth = GROSOR;
ctx.strokeStyle = "#000";

// Posición del puntero en píxeles del lienzo (el lienzo podría mostrarse escalado).
function punto(evento) {
  const r = lienzo.getBoundingClientRect();
  return {
    x: (evento.clientX - r.left) * (lienzo.width / r.width),
    y: (evento.clientY - r.top) * (lienzo.height / r.height),
  };
}

function linea(a, b) {
  ctx.beginPath();
  ctx.moveTo(a.x, a.y);
  ctx.lineTo(b.x + 0.01, b.y);   // +0.01: un clic sin moverse también deja un punto
  ctx.stroke();
}

// Los eventos "pointer" sirven igual para ratón, lápiz y dedo.
lienzo.addEventListener("pointerdown", (e) => {
  dibujando = true;
  lienzo.setPointerCapture(e.pointerId);
  ultimo = punto(e);
  linea(ultimo, ultimo);
});

lienzo.addEventListener("pointermove", (e) => {
  if (!dibujando) return;
  // el navegador puede agrupar varios movimientos en un evento: los recorremos todos
  const eventos = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
  for (const ev of (eventos.length ? eventos : [e])) {
    const p = punto(ev);
    linea(ultimo, p);
    ultimo = p;
  }
});

function terminarTrazo() {
  if (!dibujando) return;
  dibujando = false;
  trazos += 1;
  finTrazo = performance.now();
  predecir();   // en vivo: una predicción tras cada trazo
}
lienzo.addEventListener("pointerup", terminarTrazo);
lienzo.addEventListener("pointercancel", terminarTrazo);

document.getElementById("borrar").addEventListener("click", () => {
  ctx.clearRect(0, 0, lienzo.width, lienzo.height);
  trazos = 0;
  generacion += 1;
  prediccion.textContent = "–";
  prediccion.dataset.trazos = "0";
  pintarBarras(null);
  entrada.getContext("2d").clearRect(0, 0, entrada.width, entrada.height);
  atencion.getContext("2d").clearRect(0, 0, atencion.width, atencion.height);
  mostrarEstado("Dibuja un número.");
});

// ---------------------------------------------------------------- enviar a la red
// El dibujo como matriz de filas con valores en [0, 1] (1 = tinta), reducido por bloques.
function imagenReducida() {
  const { data, width, height } = ctx.getImageData(0, 0, lienzo.width, lienzo.height);
  const filas = [];
  for (let y0 = 0; y0 < height; y0 += BLOQUE) {
    const fila = [];
    for (let x0 = 0; x0 < width; x0 += BLOQUE) {
      let suma = 0;
      for (let y = y0; y < y0 + BLOQUE; y++) {
        for (let x = x0; x < x0 + BLOQUE; x++) {
          suma += data[4 * (y * width + x) + 3];   // canal alfa: 0 = vacío, 255 = tinta
        }
      }
      fila.push(Math.round((1000 * suma) / (255 * BLOQUE * BLOQUE)) / 1000);
    }
    filas.push(fila);
  }
  return filas;
}

async function predecir() {
  if (enVuelo) {          // una petición cada vez; la siguiente lleva el dibujo más reciente
    pendiente = true;
    return;
  }
  enVuelo = true;
  const miGeneracion = generacion;
  const misTrazos = trazos;
  const desde = finTrazo;
  try {
    const respuesta = await fetch("/api/predecir", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ imagen: imagenReducida() }),
    });
    const datos = await respuesta.json();
    if (miGeneracion !== generacion) return;     // se borró mientras tanto
    if (!respuesta.ok) {
      mostrarEstado(datos.error || `error ${respuesta.status}`, true);
      return;
    }
    mostrar(datos, misTrazos, desde);
  } catch (err) {
    mostrarEstado("No se pudo hablar con el servidor: ¿sigue en marcha tinygrad-es web?", true);
  } finally {
    enVuelo = false;
    if (pendiente) {
      pendiente = false;
      predecir();
    }
  }
}

// ---------------------------------------------------------------- mostrar el resultado
function mostrarEstado(texto, esError = false) {
  estado.textContent = texto;
  estado.classList.toggle("error", esError);
}

function mostrar(datos, misTrazos, desde) {
  prediccion.textContent = String(datos.clase);
  prediccion.dataset.trazos = String(misTrazos);
  prediccion.dataset.ms = String(Math.round(performance.now() - desde));   // del fin del trazo a aquí
  const p = (100 * datos.probabilidades[datos.clase]).toFixed(1);
  mostrarEstado(`Es un ${datos.clase} con probabilidad ${p} %.`);
  pintarBarras(datos.probabilidades);
  pintarEntrada(datos.entrada);
  pintarAtencion(datos.mapa, datos.caja);
}

// Diez filas: dígito, barra proporcional a su probabilidad y porcentaje.
function pintarBarras(probs) {
  if (!probabilidades.children.length) {
    for (let d = 0; d < 10; d++) {
      const fila = document.createElement("div");
      fila.className = "fila";
      fila.dataset.digito = String(d);
      fila.innerHTML = `<span class="digito">${d}</span><span class="fondo"><span class="barra"></span></span>` +
                       `<span class="valor"></span>`;
      probabilidades.appendChild(fila);
    }
  }
  const mejor = probs ? probs.indexOf(Math.max(...probs)) : -1;
  for (let d = 0; d < 10; d++) {
    const fila = probabilidades.children[d];
    const v = probs ? probs[d] : 0;
    fila.querySelector(".barra").style.width = `${(100 * v).toFixed(1)}%`;
    fila.querySelector(".valor").textContent = probs ? `${(100 * v).toFixed(1)} %` : "";
    fila.classList.toggle("mejor", d === mejor);
  }
}

// Una matriz de 28×28 con valores en [0, 1] como un lienzo pequeño de 28×28 píxeles.
function matrizALienzo(matriz, color) {
  const c = document.createElement("canvas");
  c.width = matriz[0].length;
  c.height = matriz.length;
  const img = c.getContext("2d").createImageData(c.width, c.height);
  matriz.forEach((fila, y) => fila.forEach((v, x) => {
    img.data.set(color(v), 4 * (y * c.width + x));
  }));
  c.getContext("2d").putImageData(img, 0, 0);
  return c;
}

// Lo que ve la red: blanco sobre negro, como MNIST, ampliado sin suavizar (se ven los píxeles).
function pintarEntrada(matriz) {
  const g = entrada.getContext("2d");
  g.imageSmoothingEnabled = false;
  const gris = (v) => [255 * v, 255 * v, 255 * v, 255];
  g.drawImage(matrizALienzo(matriz, gris), 0, 0, entrada.width, entrada.height);
}

// Grad-CAM encima del dibujo. "caja" dice qué rectángulo del dibujo enviado (70×70)
// ocupa la entrada de 28×28, así el mapa cae sobre los trazos que lo produjeron.
function pintarAtencion(mapa, caja) {
  const g = atencion.getContext("2d");
  const escala = atencion.width / lienzo.width;
  g.clearRect(0, 0, atencion.width, atencion.height);
  g.drawImage(lienzo, 0, 0, atencion.width, atencion.height);
  const calor = (v) => [255, Math.round(200 * (1 - v)), 0, Math.round(170 * v)];  // amarillo -> rojo
  const [x, y, ancho, alto] = caja.map((v) => v * BLOQUE * escala);
  g.imageSmoothingEnabled = true;
  g.drawImage(matrizALienzo(mapa, calor), x, y, ancho, alto);
}

// ---------------------------------------------------------------- el código del preprocesado
fetch("/preproceso.py")
  .then((r) => r.text())
  .then((texto) => { document.getElementById("codigo").textContent = texto; })
  .catch(() => { document.getElementById("codigo").textContent = "(no se pudo cargar)"; });

pintarBarras(null);
