// Página del grafo: envía la expresión a /api/grafo y muestra los fotogramas de la
// retropropagación (uno por nodo, en orden topológico inverso).
"use strict";

const estado = document.getElementById("estado");
const resultado = document.getElementById("resultado");
const pasoTexto = document.getElementById("paso-texto");
const pasoEtiqueta = document.getElementById("paso");
const imagen = document.getElementById("grafo");
const botones = {
  anterior: document.getElementById("anterior"),
  siguiente: document.getElementById("siguiente"),
  todo: document.getElementById("todo"),
};

let datos = null;    // la última respuesta del servidor
let actual = -1;     // paso mostrado (-1 = el grafo completo)

// "x=2, y=-1.5" -> {x: 2, y: -1.5}; un error en español si algo no encaja.
function leerValores(texto) {
  const valores = {};
  for (const trozo of texto.split(",")) {
    if (!trozo.trim()) continue;
    const partes = trozo.split("=");
    if (partes.length !== 2) throw new Error(`no entiendo "${trozo.trim()}": escribe nombre=número`);
    const nombre = partes[0].trim();
    const numero = Number(partes[1].trim());
    if (!partes[1].trim() || !Number.isFinite(numero)) {
      throw new Error(`el valor de ${nombre} no es un número: "${partes[1].trim()}"`);
    }
    valores[nombre] = numero;
  }
  return valores;
}

function mostrarSvg(svg) {
  if (svg) {
    imagen.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
    imagen.hidden = false;
  } else {
    imagen.hidden = true;   // sin Graphviz en el servidor: sólo el texto
  }
}

function mostrarPaso(i) {
  actual = i;
  const n = datos.pasos.length;
  if (i < 0) {
    pasoEtiqueta.textContent = `Grafo completo (${n} pasos)`;
    pasoTexto.textContent = datos.texto;
    mostrarSvg(datos.svg);
  } else {
    pasoEtiqueta.textContent = `Paso ${i + 1} de ${n}`;
    pasoTexto.textContent = datos.pasos[i].texto;
    mostrarSvg(datos.pasos[i].svg);
  }
  botones.anterior.disabled = i <= 0;
  botones.siguiente.disabled = i >= n - 1;
  botones.todo.disabled = false;
}

document.getElementById("formulario").addEventListener("submit", async (e) => {
  e.preventDefault();
  let valores;
  try {
    valores = leerValores(document.getElementById("valores").value);
  } catch (err) {
    estado.textContent = err.message;
    estado.classList.add("error");
    return;
  }
  estado.textContent = "Calculando…";
  estado.classList.remove("error");
  try {
    const r = await fetch("/api/grafo", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ expresion: document.getElementById("expresion").value, valores }),
    });
    const respuesta = await r.json();
    if (!r.ok) throw new Error(respuesta.error || `error ${r.status}`);
    datos = respuesta;
    estado.textContent = datos.aviso || "";
    const grads = Object.entries(datos.gradientes).map(([k, v]) => `∂f/∂${k} = ${v}`).join(",  ");
    resultado.textContent = `f = ${datos.valor};  ${grads}`;
    mostrarPaso(0);
  } catch (err) {
    estado.textContent = err.message;
    estado.classList.add("error");
  }
});

botones.anterior.addEventListener("click", () => mostrarPaso(Math.max(actual - 1, 0)));
botones.siguiente.addEventListener("click", () => mostrarPaso(Math.min(actual + 1, datos.pasos.length - 1)));
botones.todo.addEventListener("click", () => mostrarPaso(-1));
