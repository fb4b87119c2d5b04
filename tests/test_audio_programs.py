"""Programas escritos para torchaudio (como los de sus tutoriales y los del proyecto del curso) que
funcionan cambiando sólo las importaciones, y el ejemplo del README."""
import math
import os

import numpy as np

import tinygrad_es as torch
import tinygrad_es.audio as torchaudio
import tinygrad_es.audio.functional as AF
import tinygrad_es.audio.transforms as T

ROOT = os.path.join(os.path.dirname(__file__), "..")


def test_readme_torchaudio_example_runs(tmp_path, monkeypatch):
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    block = readme.split("<!-- programa-torchaudio -->", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path)
    ns = {}
    exec(compile(block, "README.md", "exec"), ns)
    assert tuple(ns["log_mel"].shape[:2]) == (1, 40) and ns["aumentado"].shape[0] == 1
    assert os.path.isdir(tmp_path / "runs" / "voz") and os.path.isfile(tmp_path / "digito.wav")


def test_tutorial_style_feature_extraction(tmp_path):
    """Los pasos del tutorial de torchaudio de extracción de características, con sus formas."""
    path = torchaudio.datasets.FSDD.sample_files(tmp_path, n=1)[0]
    waveform, sample_rate = torchaudio.load(path)
    metadata = torchaudio.info(path)
    assert metadata.sample_rate == sample_rate == 8000 and metadata.num_frames == waveform.shape[1]
    N = waveform.shape[1]

    resampler = T.Resample(sample_rate, 16000, dtype=waveform.dtype)
    resampled = resampler(waveform)
    assert resampled.shape == (1, math.ceil(2 * N))

    n_fft = 512
    spectrogram = T.Spectrogram(n_fft=n_fft)
    spec = spectrogram(resampled)
    assert spec.shape == (1, n_fft // 2 + 1, 1 + resampled.shape[1] // (n_fft // 2))

    griffin_lim = T.GriffinLim(n_fft=n_fft, n_iter=4)
    reconstructed = griffin_lim(spec)
    assert reconstructed.shape[0] == 1 and abs(reconstructed.shape[1] - resampled.shape[1]) < n_fft

    mel_spectrogram = T.MelSpectrogram(sample_rate=16000, n_fft=1024, win_length=None, hop_length=512, center=True,
                                       pad_mode="reflect", power=2.0, norm="slaney", n_mels=128, mel_scale="htk")
    melspec = mel_spectrogram(resampled)
    assert melspec.shape == (1, 128, 1 + resampled.shape[1] // 512)

    mfcc_transform = T.MFCC(sample_rate=16000, n_mfcc=13,
                            melkwargs={"n_fft": 400, "n_mels": 23, "hop_length": 160, "mel_scale": "htk"})
    mfcc = mfcc_transform(resampled)
    assert mfcc.shape == (1, 13, 1 + resampled.shape[1] // 160)

    fbank = AF.melscale_fbanks(int(n_fft // 2 + 1), n_mels=64, f_min=0.0, f_max=sample_rate / 2.0,
                               sample_rate=sample_rate, norm="slaney")
    assert fbank.shape == (257, 64)

    spec_c = T.Spectrogram(power=None)(resampled)
    stretch = T.TimeStretch()
    assert stretch(spec_c, 1.2).shape[-1] == math.ceil(spec_c.shape[-1] / 1.2)
    masked = T.TimeMasking(time_mask_param=80)(T.FrequencyMasking(freq_mask_param=80)(spec))
    assert masked.shape == spec.shape and (masked.numpy() == 0).any()

    torchaudio.save(tmp_path / "remuestreado.wav", resampled, 16000)
    again, sr = torchaudio.load(tmp_path / "remuestreado.wav")
    assert sr == 16000 and np.array_equal(again.numpy(), resampled.numpy())   # float32: sin pérdida


def test_speech_commands_style_training_loop():
    """El bucle del tutorial de Speech Commands (modelo M5 sobre la onda, ``collate_fn`` que rellena,
    ``log_softmax`` + ``nll_loss``), con el FSDD incluido."""
    nn, F = torch.nn, torch.nn.functional

    class M5(nn.Module):
        def __init__(self, n_input=1, n_output=10, stride=16, n_channel=16):
            super().__init__()
            self.conv1 = nn.Conv1d(n_input, n_channel, kernel_size=80, stride=stride)
            self.bn1 = nn.BatchNorm1d(n_channel)
            self.pool1 = nn.MaxPool1d(4)
            self.conv2 = nn.Conv1d(n_channel, n_channel, kernel_size=3)
            self.bn2 = nn.BatchNorm1d(n_channel)
            self.pool2 = nn.MaxPool1d(4)
            self.fc1 = nn.Linear(n_channel, n_output)

        def forward(self, x):
            x = self.pool1(F.relu(self.bn1(self.conv1(x))))
            x = self.pool2(F.relu(self.bn2(self.conv2(x))))
            x = F.avg_pool1d(x, x.shape[-1])
            x = x.permute(0, 2, 1)
            return F.log_softmax(self.fc1(x), dim=2)

    def collate_fn(batch):
        tensors, targets = [], []
        longest = max(w.shape[-1] for w, *_ in batch)
        for waveform, _, label, *_ in batch:
            tensors += [F.pad(waveform, (0, longest - waveform.shape[-1]))]
            targets += [torch.tensor(label)]
        return torch.stack(tensors), torch.stack(targets)

    torch.manual_seed(0)
    train_set = torchaudio.datasets.FSDD(sample=True, subset="training")
    small = torch.utils.data.Subset(train_set, range(32))       # el tutorial usa todo; aquí, dos lotes
    loader = torch.utils.data.DataLoader(small, batch_size=16, shuffle=True, collate_fn=collate_fn)
    model = M5()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=0.0001)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=20, gamma=0.1)
    transform = torchaudio.transforms.Resample(orig_freq=8000, new_freq=4000)
    losses = []
    for epoch in range(2):
        model.train()
        for data, target in loader:
            data = transform(data)
            output = model(data)
            loss = F.nll_loss(output.squeeze(), target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        scheduler.step()
    assert all(np.isfinite(losses)) and model.conv1.weight.grad is not None
    model.eval()
    with torch.no_grad():
        data, target = collate_fn([train_set[i] for i in range(8)])
        pred = model(transform(data)).argmax(dim=-1).squeeze()
    assert pred.shape == (8,)
