from __future__ import annotations

import time

import pytest
import rtmidi

from musevae.playback import ports
from musevae.playback.output import MidiPortError
from musevae.playback.ports import chosen_apis, find_port, list_ports, open_output
from tests.playback.jack import unique

NAMES = ["Midi Through:Port-0", "FLUID Synth (123):Synth input port", "fluid-2:in"]


def test_a_port_is_found_by_index_exact_name_or_a_unique_part_of_it() -> None:
    assert find_port(NAMES, 1, "output") == 1
    assert find_port(NAMES, "2", "output") == 2
    assert find_port(NAMES, "fluid-2:in", "output") == 2  # exact beats "fluid" matching twice
    assert find_port(NAMES, "synth INPUT", "output") == 1  # any case


@pytest.mark.parametrize(
    ("wanted", "words"),
    [(3, "no MIDI output number 3; the outputs are: 0: 'Midi Through"),
     ("fluid", "matches several MIDI outputs"),
     ("piano", "no MIDI output called 'piano'")],
)  # fmt: skip
def test_a_missing_or_ambiguous_port_gets_a_message_listing_the_ports(wanted, words: str) -> None:
    with pytest.raises(MidiPortError, match=words):
        find_port(NAMES, wanted, "output")


def test_the_api_comes_from_the_argument_then_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("RTMIDI_API", "JACK")
    assert chosen_apis() == ["jack"]
    assert chosen_apis("alsa") == ["alsa"]
    monkeypatch.setenv("RTMIDI_API", "oss")
    choices = "unknown MIDI API 'oss'; choose one of alsa, jack, coremidi, winmm"
    with pytest.raises(MidiPortError, match=choices):
        chosen_apis()
    monkeypatch.delenv("RTMIDI_API")
    compiled = {rtmidi.get_api_name(api) for api in rtmidi.get_compiled_api()}
    assert set(chosen_apis()) == compiled - {"dummy"}


def test_an_api_missing_from_this_build_is_named() -> None:
    missing = next(name for name in ("coremidi", "winmm", "alsa") if name not in chosen_apis())
    with pytest.raises(MidiPortError, match=f"built without {missing}"):
        chosen_apis(missing)


def test_windows_virtual_ports_suggest_choosing_a_port(monkeypatch) -> None:
    monkeypatch.setattr(ports, "chosen_apis", lambda api=None: ["winmm"])  # Windows' only API
    advice = "Windows has no virtual MIDI ports: choose an output with --port"
    with pytest.raises(MidiPortError, match=advice):
        open_output(virtual=True)


def test_jack_ports_are_listed_with_their_api(recorder) -> None:
    found, problems = list_ports("jack")
    assert problems == []
    assert ports.PortInfo("jack", "output", found[0].index, recorder.port) in found


def test_an_output_opened_by_part_of_its_name_reaches_the_port(recorder) -> None:
    # The client name is part of the port's name "<client>:in".
    output = open_output(recorder.client, api="jack", client_name=unique("player"))
    try:
        assert output.target == recorder.port and output.description == f'jack: "{recorder.port}"'
        output.note_on(0, 60, 99)
        assert recorder.wait_for(lambda got: len(got) == 1)
        assert recorder.received()[0][1] == (144, 60, 99)
        output.check()  # still there
    finally:
        output.close()


def test_a_virtual_output_appears_as_a_port_named_musevae(jack_server) -> None:
    client = unique("virtual")
    output = open_output(virtual=True, api="jack", client_name=client)
    try:
        listener = rtmidi.MidiIn(rtmidi.API_UNIX_JACK, name=unique("synth"))
        assert f"{client}:musevae" in listener.get_ports()
        received = []
        listener.set_callback(lambda event, _: received.append(event[0]))
        listener.open_port(listener.get_ports().index(f"{client}:musevae"))
        output.control(2, 7, 100)
        deadline = time.monotonic() + 5
        while not received and time.monotonic() < deadline:
            time.sleep(0.01)
        assert received == [[178, 7, 100]]
        listener.delete()
    finally:
        output.close()


def test_opening_a_port_that_does_not_exist_lists_the_real_ones(recorder) -> None:
    with pytest.raises(MidiPortError, match=f"no MIDI output called 'nowhere'.*{recorder.port}"):
        open_output("nowhere", api="jack")


def test_a_closed_output_refuses_to_send_and_a_player_reports_it(recorder) -> None:
    from musevae.data.pianoroll import PianoRoll
    from musevae.playback.player import Player, StopReason

    output = open_output(recorder.port, api="jack", client_name=unique("player"))
    output.close()
    output.close()  # twice is harmless
    with pytest.raises(MidiPortError, match="was closed"):
        output.note_on(0, 60, 90)
    player = Player(output)
    player.play(PianoRoll.from_notes([[60]], 0.25, 3000.0))
    assert player.wait(10) and player.stop_reason is StopReason.ERROR
    assert "was closed" in str(player.error)
