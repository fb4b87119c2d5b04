# %% [markdown]
# # 9. Métricas: cómo comparar dos clasificadores
#
# La exactitud sola engaña (por ejemplo, con clases desequilibradas). Aquí entrenamos dos
# modelos sobre la muestra de MNIST, un MLP y una CNN pequeña, y los evaluamos con las métricas
# del capítulo de experimentación de los apuntes:
#
# * exactitud, precisión, exhaustividad (sensibilidad) y F1, por clase y en media macro;
# * entropía cruzada y tiempo de inferencia por muestra;
# * matriz de confusión y las *top-k* confusiones;
# * curvas ROC uno contra resto y su área (AUC);
# * la prueba de McNemar: ¿es significativa la diferencia entre los dos modelos?

# %%
import numpy as np
import matplotlib.pyplot as plt

import tinygrad_es as torch
from tinygrad_es import nn, optim
import tinygrad_es.nn.functional as F
from tinygrad_es import metrics as M
from tinygrad_es.data import load_mnist_sample, mnist_tensors
from tinygrad_es.utils.data import DataLoader, TensorDataset
from tinygrad_es.models import MnistMLP
from tinygrad_es.train import fit, predict
from tinygrad_es.viz import plots

(x, y), (xt, yt) = load_mnist_sample()
X, y = mnist_tensors(x, y)
Xt, yt = mnist_tensors(xt, yt)
cargador = DataLoader(TensorDataset(X, y), 64, shuffle=True, generator=torch.Generator().manual_seed(0))

torch.manual_seed(0)
mlp = MnistMLP()
fit(mlp, F.cross_entropy, optim.Adam(mlp.parameters(), lr=3e-3), cargador, epochs=3, progress=False, verbose=False)
torch.manual_seed(0)
cnn = nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3), nn.ReLU(),
                    nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 5 * 5, 10))
fit(cnn, F.cross_entropy, optim.Adam(cnn.parameters(), lr=3e-3), cargador, epochs=3, progress=False, verbose=False)

modelos = {"MLP": mlp, "CNN": cnn}
puntuaciones = {k: predict(m, Xt) for k, m in modelos.items()}
pred = {k: v.argmax(1) for k, v in puntuaciones.items()}
for k, m in modelos.items():
    print(f"{k}: exactitud {100 * M.accuracy(yt, pred[k]):.1f} %, precisión {M.precision(yt, pred[k]):.3f}, "
          f"exhaustividad {M.recall(yt, pred[k]):.3f}, F1 {M.f1_score(yt, pred[k]):.3f}, "
          f"entropía cruzada {F.cross_entropy(puntuaciones[k], yt).item():.3f}, "
          f"{1e6 * M.inference_time_per_sample(m, Xt[:500]):.0f} µs por muestra")

# %% [markdown]
# ## Por clase
#
# * **precisión** = VP / (VP + FP): de las que dijo «es un 7», cuántas lo eran;
# * **exhaustividad** = VP / (VP + FN): de los 7 de verdad, cuántos encontró;
# * **F1**: media armónica de las dos.

# %%
print(M.classification_report(yt, pred["CNN"]))

# %% [markdown]
# ## Matriz de confusión
#
# Filas: clase real; columnas: clase predicha. Normalizada por filas, la diagonal es la
# exhaustividad de cada clase.

# %%
plots.confusion_matrix_plot(M.confusion_matrix(yt, pred["CNN"]), normalize=True,
                            title="CNN: matriz de confusión normalizada");

# %%
print("Top-5 confusiones de la CNN (real → predicha: veces):")
for real, predicha, veces in M.top_k_confusions(yt, pred["CNN"], 5):
    print(f"  {real} → {predicha}: {veces}")
peores = sorted(M.per_class_error_rate(yt, pred["CNN"]).items(), key=lambda kv: -kv[1])[:3]
print("clases con más error:", ", ".join(f"{c} ({100 * e:.1f} %)" for c, e in peores))

# %% [markdown]
# ## Curvas ROC
#
# Para cada clase, tratada como «positiva» frente al resto, la curva recorre todos los umbrales
# de decisión: tasa de verdaderos positivos frente a tasa de falsos positivos. Un AUC de 1 es un
# separador perfecto y 0.5 es el azar.

# %%
print(f"ROC-AUC macro: MLP {M.roc_auc_ovr(yt, puntuaciones['MLP']):.4f}, CNN {M.roc_auc_ovr(yt, puntuaciones['CNN']):.4f}")
plots.roc_curves(yt, puntuaciones["MLP"]);

# %% [markdown]
# ## Prueba de McNemar
#
# Compara dos clasificadores **sobre las mismas muestras** fijándose sólo en los desacuerdos:
# $b$ = muestras que falla el MLP y acierta la CNN, $c$ = al revés. Si los dos fueran igual de
# buenos, $b$ y $c$ deberían parecerse; el estadístico es
# $\chi^2 = \frac{(|b - c| - 1)^2}{b + c}$ con un grado de libertad.

# %%
acierta_a, acierta_b = pred["MLP"] == yt, pred["CNN"] == yt
tabla = np.array([[np.sum(acierta_a & acierta_b), np.sum(acierta_a & ~acierta_b)],
                  [np.sum(~acierta_a & acierta_b), np.sum(~acierta_a & ~acierta_b)]])
print("                 CNN acierta  CNN falla")
print(f"MLP acierta      {tabla[0, 0]:>10}  {tabla[0, 1]:>9}")
print(f"MLP falla        {tabla[1, 0]:>10}  {tabla[1, 1]:>9}")
chi2, p = M.mcnemar(yt, pred["MLP"], pred["CNN"])
b, c = tabla[1, 0], tabla[0, 1]
print(f"\nb = {b}, c = {c}:  χ² = (|{b} − {c}| − 1)² / ({b} + {c}) = {chi2:.2f},  p = {p:.3g}")
print("diferencia significativa con α = 0.05" if p < 0.05 else "sin diferencia significativa con α = 0.05")
