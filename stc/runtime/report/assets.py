"""The report's stylesheet and script, inlined into every page (no network, no CDN)."""

from __future__ import annotations

CSS = """
:root{--fg:#111827;--mut:#6b7280;--line:#e5e7eb;--bg:#f9fafb;--card:#fff;--acc:#2563eb;
--pos:#15803d;--neg:#b91c1c;--hl:#f59e0b}
*{box-sizing:border-box}
body{margin:0;padding:24px 32px 40px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",
Roboto,Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
header h1{margin:0 0 2px;font-size:22px}
.sub{margin:0 0 18px;color:var(--mut)}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;
padding:14px 18px;margin:0 0 18px}
h2{font-size:15px;margin:6px 0 10px}
h2 .count{color:var(--mut);font-weight:normal}
.hint,.legend,footer{color:var(--mut);font-size:12px;margin:0 0 8px}
.empty{color:var(--mut);font-style:italic}
.metrics{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:8px}
.metric{border:1px solid var(--line);border-radius:6px;padding:8px 10px;background:#fcfcfd}
.metric .k{display:block;color:var(--mut);font-size:11px;text-transform:uppercase;
letter-spacing:.03em}
.metric .v{display:block;font-size:18px;font-variant-numeric:tabular-nums}
.metric.pos .v{color:var(--pos)}.metric.neg .v{color:var(--neg)}
svg.chart{display:block;width:100%;height:auto;margin:0 0 6px}
svg.chart text{font-size:11px;fill:var(--mut)}
svg.chart .ylab{text-anchor:end;dominant-baseline:middle}
svg.chart .xlab{text-anchor:middle}
svg.chart .plot{fill:#fff;stroke:var(--line)}
svg.chart .grid{stroke:#eef0f3}
svg.chart .tick{stroke:#f3f4f6}
svg.chart .line{fill:none;stroke:var(--acc);stroke-width:1.4;stroke-linejoin:round}
svg.drawdown .line{stroke:var(--neg);stroke-width:1}
svg.drawdown .area{fill:rgba(185,28,28,.18)}
svg.price .line{stroke:#374151;stroke-width:1}
svg.chart .seg{stroke-width:1.6;stroke-dasharray:3 2;opacity:.8}
svg.chart .seg.win{stroke:var(--pos)}svg.chart .seg.loss{stroke:var(--neg)}
svg.chart .mk{cursor:pointer;stroke:#fff;stroke-width:1}
svg.chart .mk.long{fill:var(--pos)}svg.chart .mk.short{fill:var(--neg)}
svg.chart .mk.exit{fill:#1f2937}
svg.chart .sel{stroke:var(--hl);stroke-width:3;opacity:1}
.legend .lg{font-weight:bold}.lg.long,.lg.win{color:var(--pos)}
.lg.short,.lg.loss{color:var(--neg)}.lg.exit{color:#1f2937}
.scroll{overflow:auto;max-height:640px;border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:5px 7px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
thead th{position:sticky;top:0;background:#f3f4f6;cursor:pointer;user-select:none;z-index:1}
thead th[aria-sort=ascending]::after{content:" ▲";font-size:10px}
thead th[aria-sort=descending]::after{content:" ▼";font-size:10px}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.pos{color:var(--pos)}td.neg{color:var(--neg)}
tr.row{cursor:pointer}tr.row:hover{background:#f5f8ff}
tr.row td:first-child{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
tbody.trade.open tr.row{background:#eef4ff}
tr.chain td{white-space:normal;background:#fbfcfe;padding:8px 14px}
ol.chain-steps{list-style:none;margin:0;padding:0 0 0 10px;border-left:2px solid #c7d2fe}
.step{margin:3px 0;padding-left:6px}
.step .lbl{display:inline-block;min-width:92px;color:var(--mut);font-size:12px}
.step .id{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
background:#eef2ff;padding:1px 4px;border-radius:4px}
.step .ty{color:#4338ca;font-size:12px}.step .by{color:var(--mut);font-size:12px}
.step .sum{font-size:12px;color:#374151}
.factors{margin:2px 0 0 98px;padding-left:16px;font-size:12px;color:#374151}
.wiring{overflow:auto;border:1px solid var(--line);border-radius:6px;background:#fff}
.wiring svg{display:block;margin:auto;height:380px;width:auto}
.wiring.fit svg{height:auto;width:100%}
button{font:inherit;font-size:12px;border:1px solid var(--line);border-radius:4px;
background:#fff;cursor:pointer;padding:1px 8px}
.wiring.active g.node{opacity:.35}
.wiring.active g.node.hl{opacity:1}
.wiring g.node.hl polygon,.wiring g.node.hl ellipse,.wiring g.node.hl path{
stroke:var(--hl);stroke-width:4px}
"""

JS = """
(function(){
'use strict';
var table=document.querySelector('table.trades');
function cellValue(body,col,num){
  var cell=body.rows[0].cells[col];var v=cell?cell.getAttribute('data-v'):'';
  if(num){var n=parseFloat(v);return isNaN(n)?-Infinity:n;}return v||'';}
function sortBy(th){
  var col=+th.getAttribute('data-col'),num=th.getAttribute('data-type')==='num';
  var dir=th.getAttribute('aria-sort')==='ascending'?-1:1;
  table.querySelectorAll('thead th').forEach(function(h){h.removeAttribute('aria-sort');});
  th.setAttribute('aria-sort',dir===1?'ascending':'descending');
  var bodies=Array.prototype.slice.call(table.tBodies);
  bodies.sort(function(a,b){var x=cellValue(a,col,num),y=cellValue(b,col,num);
    return (x<y?-1:x>y?1:0)*dir;});
  bodies.forEach(function(b){table.appendChild(b);});}
function highlight(body){
  var wiring=document.querySelector('.wiring');
  var marks=document.querySelectorAll('svg.chart [data-trade]');
  marks.forEach(function(m){m.classList.remove('sel');});
  if(wiring){wiring.classList.remove('active');
    wiring.querySelectorAll('g.node.hl').forEach(function(n){n.classList.remove('hl');});}
  if(!body)return;
  var id=body.getAttribute('data-trade');
  marks.forEach(function(m){if(m.getAttribute('data-trade')===id)m.classList.add('sel');});
  if(!wiring)return;
  var names={};(body.getAttribute('data-workers')||'').split(' ').forEach(function(w){
    if(w)names[w]=1;});
  wiring.querySelectorAll('g.node').forEach(function(n){
    var t=n.querySelector('title');if(t&&names[t.textContent.trim()])n.classList.add('hl');});
  wiring.classList.add('active');
  var first=wiring.querySelector('g.node.hl');
  if(first&&!wiring.classList.contains('fit')){var box=first.getBoundingClientRect(),
    outer=wiring.getBoundingClientRect();
    wiring.scrollLeft+=box.left-outer.left-40;}}
function toggle(body,open){
  var chain=body.querySelector('tr.chain');
  var show=open===undefined?chain.hidden:open;
  if(table)table.querySelectorAll('tbody.trade.open').forEach(function(b){
    if(b!==body){b.classList.remove('open');b.querySelector('tr.chain').hidden=true;}});
  chain.hidden=!show;body.classList.toggle('open',show);highlight(show?body:null);}
if(table){
  table.querySelectorAll('thead th').forEach(function(th){
    th.addEventListener('click',function(){sortBy(th);});
    th.addEventListener('keydown',function(e){if(e.key==='Enter')sortBy(th);});});
  table.addEventListener('click',function(e){
    var row=e.target.closest('tr.row');if(row)toggle(row.parentNode);});
  table.addEventListener('keydown',function(e){
    var row=e.target.closest('tr.row');if(row&&e.key==='Enter')toggle(row.parentNode);});}
var fit=document.getElementById('wiring-fit');
if(fit)fit.addEventListener('click',function(){
  var w=document.querySelector('.wiring');var on=w.classList.toggle('fit');
  fit.textContent=on?'actual size':'fit to width';});
document.querySelectorAll('svg.chart [data-trade]').forEach(function(m){
  m.addEventListener('click',function(){
    var body=document.getElementById('t-'+m.getAttribute('data-trade'));
    if(body){toggle(body,true);body.scrollIntoView({block:'center'});}});});
})();
"""
