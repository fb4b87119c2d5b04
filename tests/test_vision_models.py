"""vision.models: los módulos y las claves del state_dict son los de torchvision. La referencia se
construye aquí con torch (torchvision no está instalado) siguiendo la definición de torchvision, y
un state_dict guardado con torch.save se carga sin cambios y da las mismas salidas."""
import numpy as np
import pytest

import tinygrad_es as tg
from tinygrad_es.vision import models


def shapes(sd):
    return {k: tuple(v.shape) for k, v in sd.items()}


def test_resnet18_keys_and_shapes_without_torch():
    m = models.resnet18(num_classes=10)
    sd = m.state_dict()
    assert len(sd) == 122 and list(sd)[:6] == ["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean",
                                               "bn1.running_var", "bn1.num_batches_tracked"]
    assert shapes(sd)["layer2.0.downsample.0.weight"] == (128, 64, 1, 1)
    assert shapes(sd)["layer4.1.conv2.weight"] == (512, 512, 3, 3) and shapes(sd)["fc.weight"] == (10, 512)
    assert sd["layer1.0.bn1.num_batches_tracked"].dtype == tg.int64
    out = m(tg.randn(2, 3, 64, 64))
    assert tuple(out.shape) == (2, 10)
    assert "layer1.0.downsample.0.weight" not in sd   # el primer bloque no cambia de tamaño


def test_builders_registry_and_errors():
    assert {"alexnet", "vgg11", "resnet18", "resnet34"} <= set(models.list_models())
    assert isinstance(models.get_model("resnet18", num_classes=3), models.ResNet)
    with pytest.raises(ValueError, match="modelo desconocido"):
        models.get_model("resnet7")
    assert models.get_weight("ResNet18_Weights.IMAGENET1K_V1") is models.ResNet18_Weights.IMAGENET1K_V1
    assert models.ResNet18_Weights.DEFAULT.url.endswith("resnet18-f37072fd.pth")


def test_pretrained_weights_cannot_be_downloaded_here(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(RuntimeError, match=r"no se pueden descargar aquí.*resnet18-f37072fd\.pth.*load_state_dict"):
        models.resnet18(weights="IMAGENET1K_V1")
    with pytest.raises(ValueError, match="num_classes debe valer 1000"):
        models.resnet18(weights=models.ResNet18_Weights.DEFAULT, num_classes=10)
    with pytest.raises(ValueError, match="pesos desconocidos"):
        models.resnet18(weights="IMAGENET2K")
    # si el fichero está donde lo dejaría torchvision, se carga (sin ejecutar el pickle)
    ckpt = tmp_path / "torch" / "hub" / "checkpoints"
    ckpt.mkdir(parents=True)
    ref = models.resnet18()
    tg.save(ref.state_dict(), str(ckpt / "resnet18-f37072fd.pth"))
    with pytest.warns(UserWarning, match="pretrained"):
        m = models.resnet18(pretrained=True)
    np.testing.assert_array_equal(m.fc.weight.detach().numpy(), ref.fc.weight.detach().numpy())
    t = models.ResNet18_Weights.DEFAULT.transforms()
    x = t(tg.rand(3, 300, 260))
    assert tuple(x.shape) == (3, 224, 224)


def test_lenet5_is_the_course_model():
    from tinygrad_es.models import LeNet5
    assert models.LeNet5 is LeNet5
    assert tuple(models.LeNet5(in_channels=3, image_size=32)(tg.rand(2, 3, 32, 32)).shape) == (2, 10)


# -- referencia con torch ----------------------------------------------------------------------------------
def torch_models():
    torch = pytest.importorskip("torch")
    nn = torch.nn

    class BasicBlock(nn.Module):
        expansion = 1

        def __init__(self, inplanes, planes, stride=1, downsample=None):
            super().__init__()
            self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.downsample = downsample

        def forward(self, x):
            idt = x if self.downsample is None else self.downsample(x)
            out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
            return self.relu(out + idt)

    class ResNet(nn.Module):
        def __init__(self, layers, num_classes=1000):
            super().__init__()
            self.inplanes = 64
            self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
            self.layer1 = self._make(64, layers[0])
            self.layer2 = self._make(128, layers[1], 2)
            self.layer3 = self._make(256, layers[2], 2)
            self.layer4 = self._make(512, layers[3], 2)
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(512, num_classes)

        def _make(self, planes, blocks, stride=1):
            down = None
            if stride != 1 or self.inplanes != planes:
                down = nn.Sequential(nn.Conv2d(self.inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
            layers = [BasicBlock(self.inplanes, planes, stride, down)]
            self.inplanes = planes
            layers += [BasicBlock(planes, planes) for _ in range(1, blocks)]
            return nn.Sequential(*layers)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(torch.flatten(self.avgpool(x), 1))

    def alexnet(num_classes=1000):
        class AlexNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.features = nn.Sequential(
                    nn.Conv2d(3, 64, 11, 4, 2), nn.ReLU(True), nn.MaxPool2d(3, 2), nn.Conv2d(64, 192, 5, padding=2),
                    nn.ReLU(True), nn.MaxPool2d(3, 2), nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(True),
                    nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(True), nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(True),
                    nn.MaxPool2d(3, 2))
                self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
                self.classifier = nn.Sequential(nn.Dropout(0.5), nn.Linear(9216, 4096), nn.ReLU(True), nn.Dropout(0.5),
                                                nn.Linear(4096, 4096), nn.ReLU(True), nn.Linear(4096, num_classes))
        return AlexNet()

    def vgg11(bn=False, num_classes=1000):
        layers, c = [], 3
        for v in [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]:
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(c, v, 3, padding=1)] + ([nn.BatchNorm2d(v)] if bn else []) + [nn.ReLU(True)]
                c = v

        class VGG(nn.Module):
            def __init__(self):
                super().__init__()
                self.features = nn.Sequential(*layers)
                self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
                self.classifier = nn.Sequential(nn.Linear(25088, 4096), nn.ReLU(True), nn.Dropout(), nn.Linear(4096, 4096),
                                                nn.ReLU(True), nn.Dropout(), nn.Linear(4096, num_classes))
        return VGG()
    return torch, ResNet, alexnet, vgg11


def test_resnet18_loads_a_torch_saved_state_dict_and_gives_the_same_outputs(tmp_path):
    torch, ResNet, _, _ = torch_models()
    torch.manual_seed(0)
    ref = ResNet([2, 2, 2, 2], num_classes=7)
    with torch.no_grad():   # estadísticas de BatchNorm no triviales
        for m in ref.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.num_batches_tracked.fill_(17)
    ref.eval()
    torch.save(ref.state_dict(), tmp_path / "r18.pt")
    ours = models.resnet18(num_classes=7)
    assert shapes(ours.state_dict()) == shapes(ref.state_dict())
    assert list(ours.state_dict()) == list(ref.state_dict())       # mismas claves y en el mismo orden
    sd = tg.load(str(tmp_path / "r18.pt"))
    ours.load_state_dict(sd)                                        # estricto: ni sobran ni faltan claves
    ours.eval()
    x = np.random.default_rng(1).standard_normal((2, 3, 64, 64)).astype(np.float32)
    with torch.no_grad():
        expect = ref(torch.from_numpy(x)).numpy()
    with tg.no_grad():
        got = ours(tg.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, expect, rtol=1e-4, atol=1e-4)
    assert int(ours.state_dict()["layer3.1.bn2.num_batches_tracked"].item()) == 17
    # y al revés: lo guardado aquí se abre en torch
    tg.save(ours.state_dict(), str(tmp_path / "ours.pt"))
    ref.load_state_dict(torch.load(tmp_path / "ours.pt", weights_only=True))


@pytest.mark.parametrize("name", ["resnet34", "alexnet", "vgg11"])
def test_keys_and_shapes_match_torchvision_definitions(name):
    torch, ResNet, alexnet, vgg11 = torch_models()
    with torch.device("meta"):   # sin reservar memoria para la referencia
        ref = {"resnet34": lambda: ResNet([3, 4, 6, 3]), "alexnet": alexnet, "vgg11": vgg11}[name]()
    ours = getattr(models, name)()
    assert list(ours.state_dict()) == list(ref.state_dict())
    assert shapes(ours.state_dict()) == shapes(ref.state_dict())
    if name == "alexnet":
        with tg.no_grad():
            assert tuple(ours.eval()(tg.rand(1, 3, 64, 64)).shape) == (1, 1000)


def test_vgg11_bn_features_keys():
    torch, _, _, vgg11 = torch_models()
    from tinygrad_es.vision.models.vgg import cfgs, make_layers
    with torch.device("meta"):
        ref = vgg11(bn=True).features
    ours = make_layers(cfgs["A"], batch_norm=True)
    assert shapes(ours.state_dict()) == shapes(ref.state_dict()) and list(ours.state_dict()) == list(ref.state_dict())
