"""The operator console in headless Chromium against a real `dropgate run` (worker processes).

One gateway for the whole class, on a throwaway home with its own copy of the mappings in which
the payment mapping's date format is wrong: the payment file is quarantined at its line 2. The
tests run in order: log in, find the quarantined file, see the error at its line, fix the mapping
and retry, disable a channel (a file dropped then stays in its folder), and parse /metrics with
prometheus_client's text parser.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

from prometheus_client.parser import text_string_to_metric_families
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ARGS = None
PAYMENTS = (
    "Direction,Execution date,Amount,Currency,Debtor,Creditor,End to end id\n"
    "outbound,2026-11-23,1250.00,EUR,Acme Trading,Contoso GmbH,E2E-{n}-1\n"
    "outbound,2026-11-23,99.95,EUR,Acme Trading,Fabrikam Ltd,E2E-{n}-2\n"
)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout=30, what="condition"):
    end = time.time() + timeout
    while time.time() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class ConsoleInBrowser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.home = tempfile.mkdtemp(prefix="dropgate-browser-")
        cls.gateway = None
        cls.driver = None
        try:
            cls.start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def start(cls):
        home = cls.home
        shutil.copytree(ARGS.mappings, os.path.join(home, "mappings"))
        cls.mapping = os.path.join(home, "mappings", "csv", "bank-payment.yaml")
        with open(cls.mapping) as f:
            cls.good_mapping = f.read()
        with open(cls.mapping, "w") as f:
            f.write(cls.good_mapping.replace("date: yyyy-MM-dd", "date: dd.MM.yyyy"))
        cls.port = free_port()
        cls.base = f"http://127.0.0.1:{cls.port}"
        with open(os.path.join(home, "gateway.yaml"), "w") as f:
            f.write(
                "folders: { inbox: inbox, outbox: outbox, var: var, mappings: mappings }\n"
                "pickup: { minAge: 0ms, pollInterval: 100ms }\n"
                f'http: {{ listen: "127.0.0.1:{cls.port}" }}\n'
                "workers: 2\n"
                "partners:\n"
                "  acme-bank:\n"
                "    channels:\n"
                "      - { name: payments, mapping: csv/bank-payment }\n"
                "      - { name: statements, mapping: csv/bank-statement }\n"
            )
        config = os.path.join(home, "gateway.yaml")
        out = subprocess.run([ARGS.dropgate, "token", "create", "--role", "operator", "--name", "browser", "--config", config],
                             check=True, capture_output=True, text=True).stdout
        cls.token = out.split()[-1]
        inbox = os.path.join(home, "inbox", "acme-bank")
        os.makedirs(os.path.join(inbox, "payments"))
        os.makedirs(os.path.join(inbox, "statements"))
        shutil.copy(os.path.join(ARGS.samples, "acme-bank", "statements", "statement-2026-11-20.csv"), os.path.join(inbox, "statements"))
        cls.drop("payments", "payments-2026-11-23.csv", PAYMENTS.format(n=1))
        cls.log = open(os.path.join(home, "gateway.log"), "w")
        cls.gateway = subprocess.Popen([ARGS.dropgate, "run", "--config", config], stdout=cls.log, stderr=subprocess.STDOUT)
        wait_for(lambda: cls.status("/healthz") == 200, what="the console to answer")
        wait_for(lambda: cls.api("/api/v1/files?state=quarantined")["total"] == 1 and cls.api("/api/v1/files?state=archived")["total"] == 1,
                 what="the first files")
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for a in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,900", "--disable-gpu", "--no-first-run"]:
            options.add_argument(a)
        cls.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        cls.driver.set_page_load_timeout(30)

    @classmethod
    def tearDownClass(cls):
        if cls.driver:
            cls.driver.quit()
        if cls.gateway and cls.gateway.poll() is None:
            cls.gateway.send_signal(signal.SIGTERM)
            try:
                cls.gateway.wait(20)
            except subprocess.TimeoutExpired:
                cls.gateway.kill()
                cls.gateway.wait()
        shutil.rmtree(cls.home, ignore_errors=True)

    @classmethod
    def drop(cls, channel, name, text):
        folder = os.path.join(cls.home, "inbox", "acme-bank", channel)
        with open(os.path.join(folder, "." + name), "w") as f:
            f.write(text)
        os.rename(os.path.join(folder, "." + name), os.path.join(folder, name))

    @classmethod
    def status(cls, path):
        try:
            with urllib.request.urlopen(cls.base + path, timeout=5) as r:
                return r.status
        except Exception:
            return None

    @classmethod
    def api(cls, path, raw=False):
        req = urllib.request.Request(cls.base + path, headers={"Authorization": "Bearer " + cls.token})
        with urllib.request.urlopen(req, timeout=30) as r:
            body = r.read().decode()
        return body if raw else json.loads(body)

    def shot(self, name):
        os.makedirs(ARGS.screenshots, exist_ok=True)
        self.driver.save_screenshot(os.path.join(ARGS.screenshots, name))

    def wait(self):
        return WebDriverWait(self.driver, 20)

    def test_1_login(self):
        d = self.driver
        d.get(self.base + "/")
        self.assertIn("/login", d.current_url)
        d.find_element(By.ID, "token").send_keys("dg_not-a-token")
        d.find_element(By.ID, "login").click()
        # The refusal is a new page: wait for it (reading at once raced the navigation).
        self.wait().until(EC.text_to_be_present_in_element((By.ID, "login-error"), "Unknown or revoked token"))
        d.find_element(By.ID, "token").send_keys(self.token)
        d.find_element(By.ID, "login").click()
        self.wait().until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Dashboard"))
        self.assertEqual(d.find_element(By.ID, "open-errors").text, "1")
        self.assertIn("browser (operator)", d.find_element(By.CSS_SELECTOR, "header .who").text)
        self.shot("dashboard.png")

    def test_2_quarantined_file_shows_its_error_at_its_line(self):
        d = self.driver
        d.get(self.base + "/quarantine")
        link = d.find_element(By.LINK_TEXT, "payments-2026-11-23.csv")
        link.click()
        self.wait().until(EC.presence_of_element_located((By.ID, "error-line")))
        line = d.find_element(By.ID, "error-line")
        self.assertTrue(line.text.startswith("2"), line.text)
        self.assertIn("2026-11-23", line.text)
        self.assertIn("line 2", d.find_element(By.ID, "error-report").text)
        self.assertEqual(len(line.find_elements(By.TAG_NAME, "mark")), 1)
        self.assertEqual(d.find_element(By.ID, "state").text, "quarantined")
        self.shot("file-detail.png")
        families = {f.name: f for f in text_string_to_metric_families(self.api("/metrics", raw=True))}
        quarantined = [s.value for s in families["dropgate_files"].samples if s.labels.get("state") == "quarantined"]
        self.assertEqual(quarantined, [1.0])

    def test_3_retry_after_a_mapping_fix(self):
        d = self.driver
        with open(self.mapping, "w") as f:
            f.write(self.good_mapping)
        d.find_element(By.ID, "retry").click()
        self.wait().until(EC.presence_of_element_located((By.ID, "retried")))
        self.assertEqual(d.find_element(By.ID, "state").text, "archived")
        audit = d.find_element(By.ID, "audit").text
        self.assertIn('retry-requested by operator "browser" (console session)', audit)
        self.assertIn("retry", audit)
        self.assertIn('"endToEndId":"E2E-1-1"', d.find_element(By.CSS_SELECTOR, "pre.records").text)
        self.shot("file-retried.png")

    def test_4_disable_a_channel(self):
        d = self.driver
        d.get(self.base + "/channels")
        row = d.find_element(By.ID, "channel-acme-bank-payments")
        self.assertEqual(row.find_element(By.CSS_SELECTOR, "td.switch").text, "on")
        row.find_element(By.TAG_NAME, "button").click()
        # The old page's row may still be there: wait for the new page's "off".
        self.wait().until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#channel-acme-bank-payments td.switch"), "off"))
        self.drop("payments", "held.csv", PAYMENTS.format(n=2))
        self.drop("statements", "statement-copy.csv",
                  open(os.path.join(ARGS.samples, "acme-bank", "statements", "statement-2026-11-20.csv")).read().replace("2026/311", "2026/312"))
        wait_for(lambda: self.api("/api/v1/files?q=statement-copy")["total"] == 1, what="the enabled channel's file")
        time.sleep(1.0)
        self.assertEqual(self.api("/api/v1/files?q=held.csv")["total"], 0)
        self.assertTrue(os.path.exists(os.path.join(self.home, "inbox", "acme-bank", "payments", "held.csv")))
        self.assertIn('acme-bank/payments by operator "browser" (console session)', d.find_element(By.CSS_SELECTOR, "table.audit").text)
        self.shot("channels.png")

    def test_5_metrics_parse(self):
        families = {f.name: f for f in text_string_to_metric_families(self.api("/metrics", raw=True))}
        def sample(family, suffix="", **labels):
            return [s.value for s in families[family].samples if s.name == family + suffix and all(s.labels.get(k) == v for k, v in labels.items())]
        self.assertEqual(sample("dropgate_files", partner="acme-bank", channel="payments", state="archived"), [1.0])
        self.assertEqual(sample("dropgate_files", partner="acme-bank", channel="payments", state="quarantined"), [0.0])
        self.assertEqual(sample("dropgate_files", partner="acme-bank", channel="statements", state="archived"), [2.0])
        self.assertEqual(sample("dropgate_records", type="payment"), [2.0])
        self.assertEqual(sample("dropgate_file_retries"), [1.0])
        self.assertEqual(sample("dropgate_channel_enabled", partner="acme-bank", channel="payments"), [0.0])
        self.assertEqual(families["dropgate_drop_to_commit_seconds"].type, "histogram")
        # Four files reached a final state: two statements, the payment file quarantined and then archived.
        self.assertEqual(sum(sample("dropgate_drop_to_commit_seconds", "_count")), 4.0)
        self.assertEqual(sum(sample("dropgate_files_finished", "_total", state="archived")), 3.0)


class Lines(unittest.TextTestResult):
    """One line per test that .ci/test-summary.sh counts."""
    def addSuccess(self, test):
        super().addSuccess(test)
        print(f"Browser test {test.id()} passed", flush=True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        print(f"Browser test {test.id()} failed", flush=True)

    def addError(self, test, err):
        super().addError(test, err)
        print(f"Browser test {test.id()} failed", flush=True)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    for a in ["--dropgate", "--mappings", "--samples", "--screenshots"]:
        p.add_argument(a, required=True)
    ARGS = p.parse_args()
    ARGS.screenshots = os.path.abspath(ARGS.screenshots)
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(ConsoleInBrowser)
    result = unittest.TextTestRunner(resultclass=Lines, verbosity=0, failfast=True).run(suite)   # no progress dots: one line per test
    if not result.wasSuccessful() and result.testsRun == 0:
        print("Browser test setup failed", flush=True)
    sys.exit(0 if result.wasSuccessful() and result.testsRun == 5 else 1)
