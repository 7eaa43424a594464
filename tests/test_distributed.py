"""modules.distributed pieces that need no process group: the single-process context, the torchrun
command lines, the batch-size log line and the synchronised batch norm outside a distributed run."""

import pytest
import torch
from torch import nn

from modules.distributed import (
    ENV_VARS, SINGLE, DistContext, GlooSyncBatchNorm, batch_sizes_line, convert_sync_batchnorm, init_distributed,
    shard, torchrun_command,
)


def test_without_torchrun_variables_nothing_is_initialised(monkeypatch):
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    context, device = init_distributed("cpu")
    assert context == SINGLE and not context.enabled and context.is_main and device == torch.device("cpu")
    assert not torch.distributed.is_initialized()
    assert init_distributed("auto")[1].type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_torchrun_commands_for_one_and_several_machines():
    one = torchrun_command("modules.pipeline.train_recognizer", "p.json", nproc_per_node=4)
    assert one == ["torchrun", "--nproc_per_node=4", "--standalone", "-m", "modules.pipeline.train_recognizer",
                   "--config", "p.json"]
    many = torchrun_command("modules.pipeline.train_detector", "p.json", nproc_per_node=8, nnodes=2,
                            rdzv_endpoint="node0:29400", rdzv_id="job7")
    assert many[:6] == ["torchrun", "--nproc_per_node=8", "--nnodes=2", "--rdzv_backend=c10d",
                        "--rdzv_endpoint=node0:29400", "--rdzv_id=job7"] and "--standalone" not in many
    with pytest.raises(ValueError, match="rdzv_endpoint"):
        torchrun_command("m", "p.json", nnodes=2)


def test_batch_line_states_global_and_per_process_sizes():
    assert batch_sizes_line(64, SINGLE) == "batch: 64 global = 1 process x 64 per process"
    assert batch_sizes_line(63, DistContext(1, 2, 1, True)) == "batch: 63 global = 2 processes x 31-32 per process"
    assert shard(list(range(5)), DistContext(1, 2, 1, True)) == [1, 3]
    with pytest.raises(ValueError, match="cannot be split"):
        shard([0], DistContext(0, 2, 0, True))


def test_converted_batch_norm_is_a_plain_one_outside_distributed_runs():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 3, 3), nn.BatchNorm2d(3), nn.ReLU())
    reference = nn.Sequential(nn.Conv2d(1, 3, 3), nn.BatchNorm2d(3), nn.ReLU())
    reference.load_state_dict(model.state_dict())
    weight = model[1].weight
    converted = convert_sync_batchnorm(model, torch.device("cpu"))
    assert isinstance(converted[1], GlooSyncBatchNorm) and converted[1].weight is weight
    assert converted.state_dict().keys() == reference.state_dict().keys()
    x = torch.randn(4, 1, 8, 8)
    torch.testing.assert_close(converted(x), reference(x))  # training mode: batch statistics, same update
    torch.testing.assert_close(converted[1].running_var, reference[1].running_var)
    converted.eval(), reference.eval()
    torch.testing.assert_close(converted(x), reference(x))
