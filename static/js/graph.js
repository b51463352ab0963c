/* The graph page (templates/arguments/map_graph.html).
 *
 * Draws the map's claims and relations with Cytoscape.js, lays them out in layers with dagre (theses
 * at the top, arrows pointing at the claim they bear on), and shows a claim's summary beside the graph
 * by asking the server for it through htmx. The data comes from the page's json_script block.
 * Without this script the page still lists every claim, each linked to its own page.
 *
 * Exposes window.warrantGraph (the Cytoscape instance) and, once the first layout has been drawn,
 * window.warrantGraphReady (performance.now() at that moment) for the browser tests and the benchmark.
 */
(function () {
  "use strict";

  var dataBlock = document.getElementById("graph-data");
  var container = document.getElementById("graph");
  if (!dataBlock || !container || typeof window.cytoscape !== "function") {
    return;
  }

  var data = JSON.parse(dataBlock.textContent);
  var controls = document.getElementById("graph-controls");
  var fitButton = document.getElementById("graph-fit");
  var focusSelect = document.getElementById("graph-focus");
  var note = document.getElementById("graph-note");
  var list = document.getElementById("graph-list");
  var summaryTarget = "#claim-summary";
  var summaryPrefix = container.dataset.summaryPrefix;
  var fullNote = note ? note.textContent.replace(/\s+/g, " ").trim() : "";

  // Past this many claims, drawing while panning or zooming uses cached bitmaps and skips the edges.
  var BIG_GRAPH = 300;
  var PADDING = 24;
  // Below this zoom the labels are too small to read; the first view then starts at the top instead.
  var READABLE_ZOOM = 0.8;
  var big = data.nodes.length > BIG_GRAPH;
  var LAYOUT = {
    name: "dagre",
    rankDir: "BT", // relations point from a claim to the one it bears on: theses end up on top
    // longest-path puts every claim that bears on nothing (the theses) in the top layer and each other
    // claim just below the lowest claim it bears on. network-simplex shortens edges by sliding theses
    // with shallow trees down the page, and took half as long again on 1,000 claims (bench/graph_layout.py).
    ranker: "longest-path",
    nodeSep: 24,
    rankSep: 64,
    edgeSep: 8,
    animate: false,
    fit: false, // readableView() frames the result
  };
  // The benchmark compares layout settings by defining this object before the page runs.
  var layoutOptions = Object.assign({}, LAYOUT, window.warrantGraphLayoutOptions || {});

  function cssValue(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function stylesheet() {
    var ink = cssValue("--ink", "#1b1f24");
    var evaluation = function (label, border, dashes) {
      var style = {
        "background-color": cssValue("--eval-" + label, "#eceae4"),
        "border-color": cssValue("--eval-" + label + "-line", ink),
        "border-style": border,
      };
      if (dashes) {
        style["border-dash-pattern"] = dashes; // long dashes, so they never pass for dots
      }
      return { selector: 'node[evaluation = "' + label + '"]', style: style };
    };
    return [
      {
        selector: "node",
        style: {
          shape: "rectangle",
          width: 200,
          height: 84,
          "background-color": "#eceae4",
          "border-width": 3,
          "border-color": cssValue("--ink-soft", "#4a5360"),
          label: "data(label)",
          "text-wrap": "wrap",
          "text-max-width": 180,
          "text-valign": "center",
          "text-halign": "center",
          "font-family": getComputedStyle(document.body).fontFamily,
          "font-size": 14,
          color: ink,
          // Labels too small to read are not drawn at all, which keeps a zoomed-out big map fast.
          "min-zoomed-font-size": 7,
        },
      },
      {
        selector: 'node[kind = "thesis"]',
        style: {
          shape: "round-rectangle",
          width: 250,
          height: 110,
          "border-width": 5,
          "font-size": 15,
          "font-weight": "bold",
          "text-max-width": 226,
        },
      },
      // After the defaults' :selected colours, so a selected claim keeps its evaluation colour.
      evaluation("in", "solid"),
      evaluation("out", "dashed", [12, 6]),
      evaluation("undecided", "dotted"),
      {
        selector: "node:selected",
        style: {
          "underlay-color": cssValue("--focus", "#f4a300"),
          "underlay-opacity": 0.6,
          "underlay-padding": 9,
          "underlay-shape": "round-rectangle",
        },
      },
      {
        selector: "edge",
        style: {
          width: 2,
          "curve-style": "straight",
          "line-color": cssValue("--supports", "#1e7a46"),
          "target-arrow-color": cssValue("--supports", "#1e7a46"),
          "target-arrow-shape": "triangle",
          "arrow-scale": 1.3,
        },
      },
      {
        selector: 'edge[kind = "opposes"]',
        style: {
          "line-color": cssValue("--opposes", "#b5470b"),
          "target-arrow-color": cssValue("--opposes", "#b5470b"),
          "line-style": "dashed",
          "line-dash-pattern": [7, 4],
          "target-arrow-shape": "tee",
        },
      },
      { selector: ".hidden", style: { display: "none" } },
    ];
  }

  function elements() {
    var nodes = data.nodes.map(function (node) {
      return { group: "nodes", data: node };
    });
    var edges = data.edges.map(function (edge) {
      return { group: "edges", data: edge, selectable: false };
    });
    return nodes.concat(edges);
  }

  if (data.nodes.length === 0) {
    window.warrantGraphReady = performance.now();
    return;
  }

  var fallback = container.querySelector(".graph-fallback");
  if (fallback) {
    fallback.remove();
  }
  // Only now is the box a picture; without this script it holds a readable note instead.
  container.setAttribute("role", "img");
  container.setAttribute("aria-label", container.dataset.label);
  var cy = window.cytoscape({
    container: container,
    elements: elements(),
    style: stylesheet(),
    layout: { name: "preset", fit: false },
    minZoom: 0.005, // a 1,000-claim map is about 100 times wider than the canvas
    maxZoom: 2.5,
    boxSelectionEnabled: false,
    autoungrabify: true,
    selectionType: "single",
    textureOnViewport: big,
    hideEdgesOnViewport: big,
    motionBlur: false,
  });
  window.warrantGraph = cy;

  function readableView(eles, anchor) {
    // Fit `eles`; when that makes the words unreadable (a wide map), show them at a readable size
    // from the top instead, centred on `anchor` (a thesis). "Zoom to fit" still shows everything.
    cy.fit(eles, PADDING);
    if (cy.zoom() >= READABLE_ZOOM) {
      return;
    }
    var box = anchor && anchor.nonempty() ? anchor.boundingBox() : eles.boundingBox();
    cy.zoom(READABLE_ZOOM);
    cy.pan({ x: cy.width() / 2 - ((box.x1 + box.x2) / 2) * READABLE_ZOOM, y: PADDING - box.y1 * READABLE_ZOOM });
  }

  function homeView() {
    readableView(cy.elements(), cy.nodes('[kind = "thesis"]').first());
  }

  var homePositions = {};
  var timings = (window.warrantGraphTimings = { layoutStart: performance.now() });
  function firstLayoutDone() {
    timings.layoutEnd = performance.now();
    cy.nodes().forEach(function (node) {
      homePositions[node.id()] = Object.assign({}, node.position());
    });
    homeView();
    // Ready once the laid-out graph has been painted: two frames after the layout stops.
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        window.warrantGraphReady = performance.now();
        container.dispatchEvent(new CustomEvent("warrant:graph-ready", { bubbles: true }));
      });
    });
  }
  cy.layout(Object.assign({}, layoutOptions, { stop: firstLayoutDone })).run();

  if (controls) {
    controls.hidden = false;
  }

  // Selecting a claim: in the graph, in the list, and its summary beside the graph.
  var origin = null; // the list link a keyboard user came from, to return to after reading

  function listLink(claimId) {
    return list ? list.querySelector('a[data-claim="' + claimId + '"]') : null;
  }

  function markCurrent(claimId) {
    if (!list) {
      return;
    }
    var previous = list.querySelector('a[aria-current="true"]');
    if (previous) {
      previous.removeAttribute("aria-current");
    }
    var link = listLink(claimId);
    if (link) {
      link.setAttribute("aria-current", "true");
    }
  }

  function selectClaim(claimId, options) {
    var fromList = Boolean(options && options.fromList);
    var node = cy.$id(String(claimId));
    if (node.empty()) {
      return;
    }
    cy.$(":selected").unselect();
    node.select();
    if (fromList) {
      // Bring the claim into view at a readable size.
      cy.zoom(Math.max(cy.zoom(), 0.8));
      cy.center(node);
    }
    markCurrent(claimId);
    var url = summaryPrefix + claimId + "/";
    if (!window.htmx) {
      window.location.assign(url); // htmx failed to load: the summary is a page of its own too
      return;
    }
    var request = window.htmx.ajax("GET", url, { target: summaryTarget, swap: "innerHTML" });
    if (fromList && request && typeof request.then === "function") {
      request.then(function () {
        var heading = document.querySelector(summaryTarget + " .summary-text");
        if (heading) {
          heading.focus();
        }
      });
    }
  }

  cy.on("tap", "node", function (event) {
    origin = null;
    selectClaim(event.target.id(), { fromList: false });
  });
  cy.on("mouseover", "node", function (event) {
    container.title = event.target.data("text");
    container.style.cursor = "pointer";
  });
  cy.on("mouseout", "node", function () {
    container.title = "";
    container.style.cursor = "";
  });

  if (list) {
    // Enter on a focused link fires a click too, so this serves mouse and keyboard alike.
    list.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-claim]");
      if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
        return; // let a modified click open the claim page in a new tab
      }
      event.preventDefault();
      origin = link;
      selectClaim(link.dataset.claim, { fromList: true });
    });
  }

  document.querySelector(summaryTarget).addEventListener("click", function (event) {
    var back = event.target.closest("[data-graph-back]");
    if (!back) {
      return;
    }
    var link = origin || listLink(back.dataset.graphBack);
    if (link) {
      event.preventDefault();
      link.focus();
    }
  });

  // Controls.
  if (fitButton) {
    fitButton.addEventListener("click", function () {
      cy.fit(cy.elements().not(".hidden"), PADDING);
    });
  }

  function showInList(visibleIds) {
    if (!list) {
      return;
    }
    Array.prototype.forEach.call(list.children, function (item) {
      var link = item.querySelector("a[data-claim]");
      item.hidden = visibleIds !== null && !visibleIds.has(link.dataset.claim);
    });
  }

  function focusOn(thesisId) {
    if (!thesisId) {
      cy.batch(function () {
        cy.elements().removeClass("hidden");
        cy.nodes().positions(function (node) {
          return homePositions[node.id()];
        });
      });
      homeView();
      showInList(null);
      note.textContent = fullNote;
      return;
    }
    var thesis = cy.$id(thesisId);
    var kept = thesis.union(thesis.predecessors());
    cy.batch(function () {
      cy.elements().addClass("hidden");
      kept.removeClass("hidden");
    });
    kept
      .layout(
        Object.assign({}, layoutOptions, {
          stop: function () {
            readableView(kept, thesis);
          },
        })
      )
      .run();
    var ids = new Set(
      kept.nodes().map(function (node) {
        return node.id();
      })
    );
    showInList(ids);
    var count = kept.nodes().length;
    note.textContent =
      "Showing " + count + " of " + data.nodes.length + " claims: the thesis “" + thesis.data("label") +
      "” and every claim that leads to it.";
  }

  if (focusSelect) {
    focusSelect.addEventListener("change", function () {
      focusOn(focusSelect.value);
    });
  }
})();
