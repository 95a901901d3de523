# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Open every page of the built docs site in headless Chromium and check what a reader would get.

Usage: check_docs_site.py HTML_DIR COLLECTION_DIR
- every module, lookup, filter and role of the collection has a page, whose rendered DOM has the plugin's heading and
  an options table (ansible-option-table) with at least one option row;
- every guide of docs/*.md has a page;
- every internal link of every page (href to a file of the site, with or without #fragment) leads to a page that
  exists and, for a fragment, to an element with that id in the rendered target.
Chromium (Debian's package) is started per page with --dump-dom, headless, without sandbox, GPU, background
networking, component updates, sync or first-run, on a fresh --user-data-dir; only file:// URLs are opened.
Also writes a screenshot of the jms_token module page to HTML_DIR/../jms_token_module.png.
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from urllib.parse import unquote, urldefrag, urlparse

FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage']
KINDS = {'modules': 'module', 'lookup': 'lookup', 'filter': 'filter'}


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids, self.h1, self.option_tables, self.option_rows = [], set(), '', 0, 0
        self._in_h1 = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get('id'):
            self.ids.add(attrs['id'])
        if tag == 'a' and attrs.get('href'):
            self.links.append(attrs['href'])
        if tag == 'h1':
            self._in_h1 = True
        if tag == 'table' and 'ansible-option-table' in (attrs.get('class') or ''):
            self.option_tables += 1
        if tag == 'div' and 'ansible-option-cell' in (attrs.get('class') or ''):
            self.option_rows += 1

    def handle_endtag(self, tag):
        if tag == 'h1':
            self._in_h1 = False

    def handle_data(self, data):
        if self._in_h1:
            self.h1 += data


def chromium():
    path = shutil.which('chromium') or shutil.which('chromium-browser')
    if not path:
        sys.exit('check_docs_site.py: Chromium is not installed. make docs-test installs Debian\'s "chromium" package '
                 'with apt-get when it runs as root; otherwise install it (apt-get install chromium) and run again.')
    return path


def render(binary, path, profile, extra=()):
    result = subprocess.run([binary] + FLAGS + ['--user-data-dir=' + profile] + list(extra) + ['file://' + path],
                            capture_output=True, text=True, timeout=120, check=False)
    if result.returncode:
        sys.exit('chromium failed on %s: %s' % (path, result.stderr[-2000:]))
    return result.stdout


def main(html_dir, collection):
    html_dir = os.path.abspath(html_dir)
    binary = chromium()
    profile = tempfile.mkdtemp(prefix='opsauth-chromium-')
    try:
        pages = {}
        for path in sorted(glob.glob(os.path.join(html_dir, '**', '*.html'), recursive=True)):
            parser = Page()
            parser.feed(render(binary, path, profile, ['--dump-dom']))
            pages[path] = parser
        shot = os.path.join(os.path.dirname(html_dir), 'jms_token_module.png')
        render(binary, os.path.join(html_dir, 'collections/opsauth/tokens/jms_token_module.html'), profile,
               ['--screenshot=' + shot, '--window-size=1280,1600'])
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    problems = []
    expected = []
    for directory, kind in KINDS.items():
        for source in glob.glob(os.path.join(collection, 'plugins', directory, '*.py')):
            name = os.path.basename(source)[:-3]
            if not name.startswith('_'):
                expected.append((name, kind))
    for role in glob.glob(os.path.join(collection, 'roles', '*', 'meta', 'argument_specs.yml')):
        expected.append((role.split(os.sep)[-3], 'role'))
    for name, kind in sorted(expected):
        path = os.path.join(html_dir, 'collections', 'opsauth', 'tokens', '%s_%s.html' % (name, kind))
        page = pages.get(path)
        if page is None:
            problems.append('no page for the %s opsauth.tokens.%s' % (kind, name))
        elif 'opsauth.tokens.%s' % name not in page.h1 or not page.option_tables or not page.option_rows:
            problems.append('%s: heading %r, %d options tables, %d option cells' % (
                os.path.relpath(path, html_dir), page.h1.strip(), page.option_tables, page.option_rows))
    for guide in glob.glob(os.path.join(collection, 'docs', '*.md')):
        if os.path.join(html_dir, 'guides', os.path.basename(guide)[:-3] + '.html') not in pages:
            problems.append('no page for the guide docs/%s' % os.path.basename(guide))
    checked = 0
    for path, page in pages.items():
        for href in page.links:
            target = urlparse(href)
            if target.scheme in ('http', 'https', 'mailto') or target.netloc:
                continue
            checked += 1
            url, fragment = urldefrag(href)
            goal = os.path.normpath(os.path.join(os.path.dirname(path), unquote(url))) if url else path
            if os.path.isdir(goal):
                goal = os.path.join(goal, 'index.html')
            if not os.path.exists(goal):
                problems.append('%s: broken link %s' % (os.path.relpath(path, html_dir), href))
            elif fragment and goal in pages and unquote(fragment) not in pages[goal].ids:
                problems.append('%s: link %s: no element with id %r' % (os.path.relpath(path, html_dir), href,
                                                                        fragment))
    for line in problems:
        print(line)
    print('docs site: %d pages rendered in Chromium, %d plugin/role pages with options tables, %d internal links '
          'checked, %d problem(s); screenshot %s' % (len(pages), len(expected), checked, len(problems), shot))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], sys.argv[2]))
